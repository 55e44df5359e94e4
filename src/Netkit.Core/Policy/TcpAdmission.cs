using System.Net;
using Netkit.Core.Diagnostics;

namespace Netkit.Core.Policy;

/// <summary>
/// Who may be served, decided at accept before any byte is read: the access list, the connection
/// limit and the per-address limit. An admitted peer holds a slot of its address until
/// <see cref="Leave"/>; the check and the count are one step, so two accepts (on two loops) cannot
/// both take the last slot.
/// </summary>
internal sealed class TcpAdmission(AccessList access, int maxConnections, int? maxPerIp)
{
    private readonly Dictionary<IPAddress, int> _perAddress = new();
    private int _live;
    private int _peak;

    /// <summary>Connections admitted and not yet left.</summary>
    public int Live => Volatile.Read(ref _live);

    /// <summary>The most connections there were at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Admits <paramref name="peer"/> (null) or says why not. Any thread.</summary>
    public Refusal? Admit(IPAddress peer)
    {
        if (!access.IsOpen && access.Decide(peer) is { Allowed: false } decision)
        {
            return new Refusal(DropReason.Acl, decision.Reason);
        }

        var live = Interlocked.Increment(ref _live);
        if (live > maxConnections)
        {
            Interlocked.Decrement(ref _live);
            return new Refusal(DropReason.MaxConnections, $"--max-connections {maxConnections} reached");
        }

        // A peak refused by --max-per-ip below was there for a moment too: it counts.
        for (var peak = Volatile.Read(ref _peak); live > peak; peak = Volatile.Read(ref _peak))
        {
            if (Interlocked.CompareExchange(ref _peak, live, peak) == peak)
            {
                break;
            }
        }

        if (maxPerIp is not { } perIp)
        {
            return null;
        }

        lock (_perAddress)
        {
            var count = _perAddress.GetValueOrDefault(peer);
            if (count >= perIp)
            {
                Interlocked.Decrement(ref _live);
                return new Refusal(DropReason.MaxPerIp, $"--max-per-ip {perIp} reached for {peer}");
            }

            _perAddress[peer] = count + 1;
            return null;
        }
    }

    /// <summary>An admitted peer's connection closed: its slots are free.</summary>
    public void Leave(IPAddress peer)
    {
        Interlocked.Decrement(ref _live);
        if (maxPerIp is null)
        {
            return;
        }

        lock (_perAddress)
        {
            var count = _perAddress.GetValueOrDefault(peer) - 1;
            if (count > 0)
            {
                _perAddress[peer] = count;
            }
            else
            {
                _perAddress.Remove(peer);
            }
        }
    }
}
