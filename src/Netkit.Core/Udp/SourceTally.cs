using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;
using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>
/// One receive loop's requests per source address and reply times, for the stats' top talkers. A
/// loop takes its own lock (uncontended but for a stats reader) once per datagram or batch, so
/// loops never wait for one another. Bounded: past <see cref="TalkerTable.Capacity"/> sources, new
/// ones are added up as "others".
/// </summary>
internal sealed class SourceTally
{
    private readonly Dictionary<(ulong, ulong), long> _requests = [];

    public Lock Gate { get; } = new();

    public LatencyHistogram ReplyTimes { get; } = new();

    public long Others { get; private set; }

    /// <summary>Counts a request from <paramref name="sockaddr"/>; the caller holds <see cref="Gate"/>.</summary>
    public void Count(ReadOnlySpan<byte> sockaddr)
    {
        if (!SocketAddressParts.TryParse(sockaddr, out var sender))
        {
            return;
        }

        var key = SourceKey.From(sender.Address);
        if (_requests.Count < TalkerTable.Capacity || _requests.ContainsKey(key))
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_requests, key, out _)++;
        }
        else
        {
            Others++;
        }
    }

    /// <summary>Adds this loop's counts to <paramref name="into"/> and its reply times to <paramref name="times"/>; returns its "others".</summary>
    public long AddTo(Dictionary<(ulong, ulong), long> into, LatencyHistogram times)
    {
        lock (Gate)
        {
            foreach (var (key, n) in _requests)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(into, key, out _) += n;
            }

            times.Add(ReplyTimes);
            return Others;
        }
    }
}
