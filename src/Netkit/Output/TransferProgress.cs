using System.Globalization;
using Netkit.Core.Tcp;

namespace Netkit.Output;

/// <summary>
/// Progress of a long transfer on the terminal: once more than 1 MiB has moved, one line on stderr,
/// rewritten twice a second, with the bytes and the rate of each direction
/// (<c>12.0 MiB sent (4.0 MiB/s), 3.0 MiB received (1.0 MiB/s)</c>); when the transfer ends, its
/// last figures stay as an ordinary line. Only when stderr is a terminal and stdout is not: with
/// both on one terminal the data received and the progress would be drawn over each other (and
/// logs and scripts never see it). The line is stderr's transient line
/// (<see cref="LineQueueWriter.SetTransient"/>), so a log line written meanwhile erases it first and
/// it is drawn again below.
/// </summary>
internal sealed class TransferProgress : IAsyncDisposable
{
    /// <summary>Bytes both ways together before the progress shows: short exchanges never see it.</summary>
    public const long Threshold = 1 << 20;

    /// <summary>How often the line is rewritten.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly Func<long> _sent;
    private readonly Func<long> _received;
    private readonly LineQueueWriter _terminal;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly long _started;
    private bool _shown;

    /// <param name="sent">Bytes sent so far (read from the progress's own thread).</param>
    /// <param name="received">Bytes received so far.</param>
    /// <param name="terminal">stderr, a terminal.</param>
    /// <param name="time">The clock for the interval and the rates.</param>
    public TransferProgress(Func<long> sent, Func<long> received, LineQueueWriter terminal, TimeProvider time)
    {
        _sent = sent;
        _received = received;
        _terminal = terminal;
        _time = time;
        _started = time.GetTimestamp();
        _loop = RunAsync();
    }

    /// <summary>The progress of <paramref name="session"/> when stderr (netkit's own, <see cref="LineQueueWriter"/>)
    /// is a terminal and stdout is not; otherwise null.</summary>
    public static TransferProgress? StartIfTerminal(TcpClientSession session, TextWriter stderr, TimeProvider time)
        => stderr is LineQueueWriter terminal && !Console.IsErrorRedirected && Console.IsOutputRedirected
            ? new TransferProgress(() => session.BytesSent, () => session.BytesReceived, terminal, time)
            : null;

    /// <summary>The line for these counts after <paramref name="elapsed"/>; each rate is that direction's
    /// bytes over the whole time since the transfer started.</summary>
    public static string Format(long sent, long received, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        return $"{Size(sent)} sent ({Size((long)(sent / seconds))}/s), {Size(received)} received ({Size((long)(received / seconds))}/s)";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_shown)
        {
            // The final figures replace the transient line, as a line of their own.
            _terminal.SetTransient(null);
            _terminal.WriteLine(Text());
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(Interval, _time, _stop.Token).ConfigureAwait(false);
                if (_shown || _sent() + _received() > Threshold)
                {
                    _shown = true;
                    _terminal.SetTransient(Text());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Transfer over.
        }
    }

    private string Text() => Format(_sent(), _received(), _time.GetElapsedTime(_started));

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
