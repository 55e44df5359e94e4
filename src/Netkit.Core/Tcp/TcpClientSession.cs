using System.Buffers;
using System.Net.Sockets;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// The tutorial client's conversation over a connected socket: send everything, half-close
/// (SHUT_WR) so the server sees the end, then copy every byte received to the output until the
/// server closes. Interactive mode runs both directions at once. Binary safe throughout.
/// </summary>
public sealed class TcpClientSession
{
    private const int BufferSize = 64 * 1024;
    private readonly Socket _socket;
    private readonly TimeSpan? _inactivity;

    /// <summary>Creates a session over <paramref name="socket"/>; <paramref name="inactivity"/>
    /// bounds each wait for data (null waits forever).</summary>
    public TcpClientSession(Socket socket, TimeSpan? inactivity)
    {
        _socket = socket;
        _inactivity = inactivity;
    }

    private long _bytesSent;
    private long _bytesReceived;

    /// <summary>Bytes sent so far (safe to read from another thread).</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Bytes received so far (safe to read from another thread).</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Sends <paramref name="message"/>, half-closes, calls <paramref name="sent"/>, then copies replies to <paramref name="output"/>.</summary>
    public async Task RunAsync(ReadOnlyMemory<byte> message, Stream output, Action? sent, CancellationToken cancellationToken)
    {
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        HalfClose();
        sent?.Invoke();
        await ReceiveAllAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="input"/> to its end, then half-closes and calls <paramref name="sent"/>;
    /// meanwhile copies replies to <paramref name="output"/> until the server closes. Both directions run
    /// at once, so a server that answers while we still send (echo) never deadlocks against us, and
    /// chat mode is the same code with a terminal as input.</summary>
    public async Task RunAsync(Stream input, Stream output, Action? sent, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = SendStreamAsync(input, sent, linked.Token);
        try
        {
            await ReceiveAllAsync(output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The server closed: whatever is still typed has nowhere to go.
            await linked.CancelAsync().ConfigureAwait(false);
        }

        if (!sending.IsCompleted)
        {
            // Blocked reading stdin (a terminal, an open pipe), which no token interrupts: the
            // conversation is over, so do not wait for the user to type. Its outcome is moot.
            _ = sending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return;
        }

        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NetkitException)
        {
            // The receive side decided the outcome; a send cut short by the server's close is expected.
        }
    }

    private async Task SendStreamAsync(Stream input, Action? sent, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
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

    private async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            while (!data.IsEmpty)
            {
                var n = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                data = data[n..];
                Interlocked.Add(ref _bytesSent, n);
            }
        }
        catch (SocketException e)
        {
            throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"send to {EndpointText.Format(_socket.RemoteEndPoint)}: {SocketErrors.Describe(e)}", e);
        }
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                if (_inactivity is { } limit)
                {
                    timeout.CancelAfter(limit);
                }

                int received;
                try
                {
                    received = await _socket.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new NetkitException(FailureKind.Timeout, $"receive: nothing for {_inactivity!.Value.TotalSeconds:0.###}s (--timeout)");
                }
                catch (SocketException e)
                {
                    throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"receive from {EndpointText.Format(_socket.RemoteEndPoint)}: {SocketErrors.Describe(e)}", e);
                }

                if (received == 0)
                {
                    return;
                }

                Interlocked.Add(ref _bytesReceived, received);
                await output.WriteAsync(buffer.AsMemory(0, received), cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
