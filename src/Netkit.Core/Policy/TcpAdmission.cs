using System.Net;
using Netkit.Core.Diagnostics;

namespace Netkit.Core.Policy;

/// <summary>
/// Who may be served, decided at accept before any byte is read: the access list, the connection
/// limit and the per-address limit. An admitted peer holds a slot of its address until
/// <see cref="Leave"/>; the check and the count are one step, so two accepts cannot both take the last slot.
/// </summary>
internal sealed class TcpAdmission(AccessList access, int maxConnections, int? maxPerIp)
{
    private readonly Dictionary<IPAddress, int> _perAddress = new();

    /// <summary>Admits <paramref name="peer"/> (null) or says why not; <paramref name="live"/> is the number served now.</summary>
    public Refusal? Admit(IPAddress peer, int live)
    {
        if (!access.IsOpen && access.Decide(peer) is { Allowed: false } decision)
        {
            return new Refusal(DropReason.Acl, decision.Reason);
        }

        if (live >= maxConnections)
        {
            return new Refusal(DropReason.MaxConnections, $"--max-connections {maxConnections} reached");
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
                return new Refusal(DropReason.MaxPerIp, $"--max-per-ip {perIp} reached for {peer}");
            }

            _perAddress[peer] = count + 1;
            return null;
        }
    }

    /// <summary>An admitted peer's connection closed: its slot is free.</summary>
    public void Leave(IPAddress peer)
    {
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
