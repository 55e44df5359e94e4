using System.Globalization;
using Netkit.Core.Tcp;

namespace Netkit.Output;

/// <summary>
/// Progress of a long transfer on the terminal: once more than 1 MiB has moved, a line on stderr,
/// rewritten twice a second, with bytes each way and the rate. Only when stderr is a terminal, so
/// logs and scripts never see it.
/// </summary>
internal sealed class TransferProgress : IAsyncDisposable
{
    private const long Threshold = 1 << 20;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly TcpClientSession _session;
    private readonly TextWriter _terminal;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly long _started;
    private bool _shown;

    private TransferProgress(TcpClientSession session, TextWriter terminal, TimeProvider time)
    {
        _session = session;
        _terminal = terminal;
        _time = time;
        _started = time.GetTimestamp();
        _loop = RunAsync();
    }

    public static TransferProgress? StartIfTerminal(TcpClientSession session, TextWriter stderr, TimeProvider time)
        => Console.IsErrorRedirected ? null : new TransferProgress(session, stderr, time);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_shown)
        {
            Show();
            _terminal.WriteLine();
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
                if (_shown || _session.BytesSent + _session.BytesReceived > Threshold)
                {
                    _shown = true;
                    Show();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Transfer over.
        }
    }

    private void Show()
    {
        var seconds = Math.Max(_time.GetElapsedTime(_started).TotalSeconds, 0.001);
        var total = _session.BytesSent + _session.BytesReceived;
        _terminal.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{Size(_session.BytesSent)} sent, {Size(_session.BytesReceived)} received, {Size((long)(total / seconds))}/s   "));
        _terminal.Flush();
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
