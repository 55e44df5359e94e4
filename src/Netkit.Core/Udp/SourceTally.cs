using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;
using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>
/// One receive loop's requests per source address and reply times, for the stats' top talkers. A
/// loop takes its own lock (uncontended but for a stats reader) once per datagram or batch, so
/// loops never wait for one another. Bounded: at <see cref="TalkerTable.Capacity"/> sources, those
/// seen only once are added up as "others" to make room; when none is, new ones are.
/// </summary>
internal sealed class SourceTally
{
    private const int SweepEvery = 1024;
    private readonly Dictionary<(ulong, ulong), long> _requests = [];
    private int _overflow;

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
        if (_requests.Count >= TalkerTable.Capacity && !_requests.ContainsKey(key))
        {
            // Full: every 1,024 new sources, those seen once make room (a flood of spoofed addresses
            // must not keep the real heavy hitters out), their requests added up under "others".
            // Until then, and when nobody can go, the new source is counted there itself.
            if (++_overflow < SweepEvery)
            {
                Others++;
                return;
            }

            _overflow = 0;
            foreach (var (seen, n) in _requests)
            {
                if (n <= 1)
                {
                    _requests.Remove(seen);
                    Others += n;
                }
            }

            if (_requests.Count >= TalkerTable.Capacity)
            {
                Others++;
                return;
            }
        }

        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_requests, key, out _)++;
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
