using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using Netkit.Core.Diagnostics;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// The tutorial client's conversation over a connected socket: send everything, half-close
/// (SHUT_WR) so the server sees the end, and copy every byte received to the output until the
/// server closes. Each direction ends on its own; input from a stream is sent while replies
/// arrive. Binary safe throughout. The inactivity limit (<c>--timeout</c>) is silence in both
/// directions: an upload that keeps flowing to a server that never answers is not idle.
/// </summary>
public sealed class TcpClientSession
{
    private const int BufferSize = 64 * 1024;
    private readonly Socket _socket;
    private readonly TimeSpan? _inactivity;
    private readonly TimeProvider _time;
    private readonly string _server;

    /// <summary>Creates a session over <paramref name="socket"/>; <paramref name="inactivity"/> ends
    /// it when nothing is sent or received for that long (null: never), timed by <paramref name="time"/>.
    /// Time spent writing what arrived to a slow output does not count.</summary>
    public TcpClientSession(Socket socket, TimeSpan? inactivity, TimeProvider time)
    {
        _socket = socket;
        _inactivity = inactivity;
        _time = time;

        // Named now: once the server resets the connection, the socket no longer knows its peer.
        _server = EndpointText.Format(socket.RemoteEndPoint);
    }

    private long _bytesSent;
    private long _bytesReceived;

    // Set for the length of a run: the --timeout watch, and whether a person is typing (chat mode).
    private InactivityWatch? _watch;
    private bool _interactive;
    private long _kernelMoved;

    // What the input held, for the error that says how much did not go: bytes taken from it so far,
    // and what is left unread where that is known (a message, a seekable file; -1 where not).
    private long _bytesTaken;
    private long _bytesLeft = -1;

    /// <summary>Bytes sent so far (safe to read from another thread).</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Sees every byte sent and received (<c>--hexdump</c>, <c>--transcript</c>), as connection 1.</summary>
    public IDataTap? Tap { get; init; }

    /// <summary>Bytes received so far (safe to read from another thread).</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Sends <paramref name="message"/>, half-closes, calls <paramref name="sent"/>, then copies replies to <paramref name="output"/>.</summary>
    public async Task RunAsync(ReadOnlyMemory<byte> message, Stream output, Action? sent, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _bytesTaken, message.Length);
        Volatile.Write(ref _bytesLeft, 0);
        using var watch = StartWatch();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch?.Expired ?? CancellationToken.None);
        await SendAsync(message, run.Token).ConfigureAwait(false);
        HalfClose();
        sent?.Invoke();
        await ReceiveAllAsync(output, run.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="input"/> to its end, then half-closes and calls <paramref name="sent"/>;
    /// meanwhile copies replies to <paramref name="output"/> until the server closes. Both directions
    /// run at once, so a server that answers while we still send (echo) never deadlocks against us,
    /// and chat mode is the same code with a terminal as input.
    /// </summary>
    /// <remarks>
    /// The server's close (its FIN) ends only what it sends: the rest of the input still goes out, as
    /// with <c>nc -N</c>, so an upload to a server that greets and half-closes arrives whole.
    /// If the server has gone entirely, the next send fails and the error says how much was not sent.
    /// With <paramref name="interactive"/> (a person typing) the session ends at the server's close
    /// instead: nobody reads what they would type, and a terminal read cannot be interrupted, so it
    /// does not wait for them.
    /// </remarks>
    public async Task RunAsync(Stream input, Stream output, bool interactive, Action? sent, CancellationToken cancellationToken)
    {
        _interactive = interactive;
        using var watch = StartWatch();
        var expired = watch?.Expired ?? CancellationToken.None;
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expired);
        using var stopReceiving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expired);
        var sending = SendOrStopReceivingAsync();

        // A send side that fails (unreadable input, say) ends the session at once, even while the
        // server says nothing: its error is the one to report.
        async Task SendOrStopReceivingAsync()
        {
            try
            {
                await SendStreamAsync(input, sent, stopSending.Token).ConfigureAwait(false);
            }
            catch (NetkitException)
            {
                try
                {
                    await stopReceiving.CancelAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // The session is already over (a send left behind after a chat ended).
                }

                throw;
            }
        }

        try
        {
            await ReceiveAllAsync(output, stopReceiving.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the send side's failure cancels the receive: report that failure.
            await sending.ConfigureAwait(false);
            throw;
        }
        catch (NetkitException e) when (!interactive && e.Kind != FailureKind.Timeout && !sending.IsCompletedSuccessfully)
        {
            // The connection broke (a reset) while input remained: nothing more can be delivered.
            // (In chat mode nothing was waiting to be delivered: the peer and the reason say it all.)
            await stopSending.CancelAsync().ConfigureAwait(false);
            Abandon(sending);
            throw new NetkitException(e.Kind, $"{e.Message}; {Undelivered()}", e.InnerException);
        }
        catch
        {
            await stopSending.CancelAsync().ConfigureAwait(false);
            Abandon(sending);
            throw;
        }

        if (!interactive)
        {
            try
            {
                await sending.WaitAsync(stopSending.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C, or --timeout, while stdin (a pipe nobody closes) has nothing more to read.
                Abandon(sending);
                if (TimedOut)
                {
                    throw Silence();
                }

                throw;
            }

            return;
        }

        await stopSending.CancelAsync().ConfigureAwait(false);
        if (!sending.IsCompleted)
        {
            // Blocked reading the terminal, which no token interrupts: the conversation is over.
            Abandon(sending);
            return;
        }

        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NetkitException)
        {
            // The server ended the chat; a line cut short by its close had nobody to read it.
        }
    }

    // A send left behind (blocked in a read that no token interrupts): its outcome is moot, but a
    // fault must still be observed.
    private static void Abandon(Task sending)
        => _ = sending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private InactivityWatch? StartWatch()
    {
        if (_inactivity is not { } limit)
        {
            return null;
        }

        Volatile.Write(ref _kernelMoved, LinuxTcpInfo.BytesMoved(_socket));
        return _watch = new InactivityWatch(limit, _time, KernelSawProgress);
    }

    // A send blocked on a full socket buffer completes only once much of the buffer drained, which
    // on a slow link takes longer than any sensible --timeout: the kernel's count of acknowledged
    // bytes is what shows it still flows.
    private bool KernelSawProgress()
    {
        var now = LinuxTcpInfo.BytesMoved(_socket);
        return now != LinuxTcpInfo.Unknown && Interlocked.Exchange(ref _kernelMoved, now) != now;
    }

    private bool TimedOut => _watch is { Expired.IsCancellationRequested: true };

    private NetkitException Silence()
        => new(FailureKind.Timeout, $"{_server}: nothing sent or received for {DurationText.Format(_watch!.Limit)} (--timeout)");

    private async Task SendStreamAsync(Stream input, Action? sent, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await ReadInputAsync(input, buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (TimedOut)
                {
                    throw Silence();
                }

                Interlocked.Add(ref _bytesTaken, read);
                if (input.CanSeek)
                {
                    Volatile.Write(ref _bytesLeft, Math.Max(0, input.Length - input.Position));
                }

                if (read == 0)
                {
                    Volatile.Write(ref _bytesLeft, 0);
                    break;
                }

                await SendAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        HalfClose();
        sent?.Invoke();
    }

    // The input itself may be unreadable (stdin open only for writing, a directory): the user's
    // setup, said as such, never an internal error or a network one.
    private static async ValueTask<int> ReadInputAsync(Stream input, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await input.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new NetkitException(FailureKind.Usage, "read input: " + (e is IOException ? e.Message : "not open for reading"), e);
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            while (!data.IsEmpty)
            {
                var n = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                Tap?.Data(1, false, data.Span[..n]);
                data = data[n..];
                Interlocked.Add(ref _bytesSent, n);
                _watch?.Touch();
            }
        }
        catch (OperationCanceledException) when (TimedOut)
        {
            throw Silence();
        }
        catch (SocketException e)
        {
            var undelivered = _interactive ? "" : "; " + Undelivered();
            throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"send to {_server}: {SocketErrors.Describe(e)}{undelivered}", e);
        }
    }

    // "Sent" is what the local TCP stack took: after a reset, some of it may never have been read.
    private string Undelivered()
    {
        var sent = BytesSent;
        var notSent = Volatile.Read(ref _bytesTaken) - sent;
        var left = Volatile.Read(ref _bytesLeft);
        return left >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"the server closed before the input was delivered: {notSent + left} of {sent + notSent + left} bytes not sent")
            : notSent > 0
                ? string.Create(CultureInfo.InvariantCulture, $"the server closed before the input was delivered: {sent} bytes sent, at least {notSent} not sent (the rest of the input was not read)")
                : string.Create(CultureInfo.InvariantCulture, $"the server closed before the input was delivered: {sent} bytes sent, the rest of the input not read");
    }

    private void HalfClose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException e)
        {
            throw new NetkitException(FailureKind.Network, $"half-close: {SocketErrors.Describe(e)}", e);
        }
    }

    private async Task ReceiveAllAsync(Stream output, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var received = await ReceiveAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                if (received == 0)
                {
                    return;
                }

                Interlocked.Add(ref _bytesReceived, received);
                Tap?.Data(1, true, buffer.AsSpan(0, received));

                // Our own write to a slow output (a paused pager on stdout) is not the connection
                // falling silent: that time does not count towards --timeout.
                _watch?.Pause();
                try
                {
                    await output.WriteAsync(buffer.AsMemory(0, received), cancellationToken).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _watch?.Resume();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            var received = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            _watch?.Touch();
            return received;
        }
        catch (OperationCanceledException) when (TimedOut)
        {
            throw Silence();
        }
        catch (SocketException e)
        {
            throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"receive from {_server}: {SocketErrors.Describe(e)}", e);
        }
    }
}
