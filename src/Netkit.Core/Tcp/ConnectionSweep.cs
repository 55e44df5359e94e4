using System.Collections.Concurrent;
using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;

namespace Netkit.Core.Tcp;

/// <summary>
/// The one timer behind every per-connection timeout (idle, first byte, session, send): a sweep
/// every quarter of the shortest one is cheap and closes a connection at most 25% late, where a
/// timer per connection would cost a registration per read.
/// </summary>
internal sealed class ConnectionSweep(TcpServerOptions options, ServerCounters counters, TimeProvider time)
{
    /// <summary>How often to sweep, or null when no timeout is set.</summary>
    public TimeSpan? Period
    {
        get
        {
            TimeSpan? shortest = null;
            foreach (var limit in (ReadOnlySpan<TimeSpan?>)[options.IdleTimeout, options.FirstByteTimeout, options.MaxSession, options.SendTimeout])
            {
                if (limit is { } v && v > TimeSpan.Zero && (shortest is null || v < shortest))
                {
                    shortest = v;
                }
            }

            if (shortest is not { } value)
            {
                return null;
            }

            var quarter = value / 4;
            return quarter < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : quarter > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : quarter;
        }
    }

    /// <summary>Sweeps <paramref name="connections"/> until <paramref name="stop"/> fires.</summary>
    public async Task RunAsync(ConcurrentDictionary<object, ServedConnection> connections, CancellationToken stop)
    {
        if (Period is not { } period)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(period, time, stop).ConfigureAwait(false);
                foreach (var (_, connection) in connections)
                {
                    if (Expired(connection) is not { } expired)
                    {
                        // Half-way to a silence or send verdict: the kernel's figure now, to compare with then.
                        if (HalfWay(connection))
                        {
                            connection.SampleKernel();
                        }

                        continue;
                    }

                    // Silent or blocked as the server sees it, but the kernel may still be moving
                    // bytes: a peer that reads slowly drains a full send buffer a little at a time,
                    // and the server's own reads pause meanwhile. That is a working peer.
                    if (expired.Reason is DropReason.Idle or DropReason.SlowReader && connection.KernelProgress() != KernelProgress.None)
                    {
                        continue;
                    }

                    if (connection.Abort(expired.Why))
                    {
                        counters.AddDrop(expired.Reason);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private bool HalfWay(ServedConnection connection) =>
        (options.IdleTimeout is { } idle && idle > TimeSpan.Zero && connection.IdleFor >= idle / 2)
        || (options.SendTimeout is { } send && send > TimeSpan.Zero && connection.SendingFor >= send / 2);

    private Refusal? Expired(ServedConnection connection)
    {
        var o = options;
        if (o.FirstByteTimeout is { } first && first > TimeSpan.Zero && !connection.Spoke && connection.Age >= first)
        {
            return new Refusal(DropReason.FirstByte, $"sent nothing for {Seconds(first)} (--first-byte-timeout)");
        }

        if (o.IdleTimeout is { } idle && idle > TimeSpan.Zero && connection.IdleFor >= idle)
        {
            return new Refusal(DropReason.Idle, $"idle for {Seconds(idle)} (--idle-timeout)");
        }

        if (o.SendTimeout is { } send && send > TimeSpan.Zero && connection.SendingFor >= send)
        {
            return new Refusal(DropReason.SlowReader, $"did not read its replies for {Seconds(send)} (--send-timeout)");
        }

        if (o.MaxSession is { } session && session > TimeSpan.Zero && connection.Age >= session)
        {
            return new Refusal(DropReason.MaxSession, $"connected for {Seconds(session)} (--max-session)");
        }

        return null;
    }

    private static string Seconds(TimeSpan t) => DurationText.Format(t);
}
