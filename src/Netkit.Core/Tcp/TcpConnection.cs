using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// One accepted client. It waits for data with a zero-byte read, so an idle connection holds no
/// buffer; only then it rents one, reads, answers from the same buffer and returns it. Replies are
/// sent before the next read, so a client that stops reading stalls only itself: TCP flow control
/// pushes back and the server never buffers more than one reply per connection. In seed mode with
/// an operator, the next read also waits for the chunk's word (<see cref="WordRequests"/>): the
/// tutorial's order, chunk by chunk. Every send happens here, on the connection's own loop.
/// </summary>
internal sealed class TcpConnection(int id, Socket socket, IPAddress peer, int peerPort, TcpServerOptions options, ServerCounters counters, ILogger logger, TimeProvider time, WordRequests? words)
    : ServedConnection(id, peer, peerPort, options, counters, logger, time, words)
{
    private SocketException? _lostWhileWaiting;
    private byte[]? _peek;
    private ReadOnlyMemory<byte>? _wordInFlight;

    /// <summary>
    /// Serves the connection until the peer closes, an error, or <see cref="ServedConnection.Abort"/>. Never throws:
    /// <see cref="SocketErrors.Ending"/> decides what an exception means, and one that nobody foresaw
    /// is logged as an error, counted and ends this connection only (with a reset).
    /// </summary>
    public override async Task RunAsync()
    {
        var end = new ConnectionEnd(ConnectionEndKind.PeerGone, "closed by peer");
        try
        {
            await ServeAsync().ConfigureAwait(false);

            // The peer half-closed and everything owed is sent: answer with our FIN.
            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e)
        {
            end = SocketErrors.Ending(e, AbortReason);

            // The peer went away with its word unsent: the word goes to the next client.
            if (_wordInFlight is { } unsent && Words is not null && end.Kind == ConnectionEndKind.PeerGone)
            {
                Words.Return(unsent);
            }
        }
        finally
        {
            Close(end);
        }
    }

    private Socket Socket { get; } = socket;

    protected override void OnAbort() => CloseSocket(reset: true);

    protected override long KernelBytesMoved() => LinuxTcpInfo.BytesMoved(Socket);

    protected override void CloseSocket(bool reset)
    {
        if (reset)
        {
            try
            {
                Socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closing: the dispose that follows is all that is left to do.
            }
        }

        Socket.Dispose();
    }

    // One method, one state machine, allocated once per connection: a send that has to wait for the
    // peer would allocate a helper's state machine per message (measured: 80 bytes each, pooled or not).
    private async Task ServeAsync()
    {
        var seed = Options.Mode == TcpServerMode.Seed;
        var ack = seed ? Options.AckFrame : ReadOnlyMemory<byte>.Empty;
        var autoReply = seed ? Options.AutoReply ?? ReadOnlyMemory<byte>.Empty : ReadOnlyMemory<byte>.Empty;
        var words = Words;
        var receiveSize = Options.ReceiveSize;
        var capacity = SeedReply.Length(receiveSize, ack.Span, autoReply.Span);
        ReadOnlyMemory<byte>? word = null;
        ValueTask<ReadOnlyMemory<byte>?> wordWait = default;
        while (true)
        {
            // Each turn sends either the operator's word for the last chunk, or the reply to a new chunk.
            var answeringChunk = word is null;
            byte[]? buffer = null;
            try
            {
                ReadOnlyMemory<byte> reply;
                if (word is { } typed)
                {
                    reply = typed;
                    _wordInFlight = typed;
                    word = null;
                }
                else
                {
                    // Wait for data without holding a buffer: an idle connection owns no memory.
                    await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(capacity);
                    var received = await Socket.ReceiveAsync(buffer.AsMemory(0, receiveSize), SocketFlags.None).ConfigureAwait(false);
                    if (received == 0)
                    {
                        return;
                    }

                    Received(received);
                    Options.Tap?.Data(Id, true, buffer.AsSpan(0, received));
                    LogChunk(buffer.AsSpan(0, received));

                    // Echo adds nothing; seed appends ack (and --reply's word) behind the data, in the same buffer.
                    reply = buffer.AsMemory(0, SeedReply.CompleteInPlace(buffer, received, ack.Span, autoReply.Span));

                    // The wait for the word starts before data and ack go out (see LoopConnection).
                    if (words is not null)
                    {
                        wordWait = words.WaitAsync(Ticket);
                    }
                }

                SendStarted();
                while (!reply.IsEmpty)
                {
                    var sent = await Socket.SendAsync(reply, SocketFlags.None).ConfigureAwait(false);
                    Options.Tap?.Data(Id, false, reply.Span[..sent]);
                    reply = reply[sent..];
                    Sent(sent);
                }

                SendFinished();
                _wordInFlight = null;
            }
            finally
            {
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            // The tutorial's order: the next chunk is read only after this one's word is sent.
            if (words is not null && answeringChunk)
            {
                word = await WaitForWordAsync(words, wordWait).ConfigureAwait(false);
                wordWait = default;
            }
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>?> WaitForWordAsync(WordRequests words, ValueTask<ReadOnlyMemory<byte>?> wait)
    {
        // Abort() withdraws the ticket; if it ran just before the ticket was queued, withdraw it here.
        if (AbortReason is not null)
        {
            words.Withdraw(Ticket);
        }

        if (wait.IsCompleted)
        {
            return await wait.ConfigureAwait(false);
        }

        // The wait is the operator's silence, not the client's: it does not count as idle.
        AwaitingWord = true;
        using var watching = new CancellationTokenSource();
        var watcher = WatchWhileWaitingAsync(words, watching.Token);
        ReadOnlyMemory<byte>? word;
        try
        {
            word = await wait.ConfigureAwait(false);
        }
        finally
        {
            AwaitingWord = false;
            await watching.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
        }

        // Gone while waiting: end the way a reset ends any read, and a word that came in the
        // meantime goes to the next client instead.
        if (_lostWhileWaiting is { } lost)
        {
            if (word is { } undelivered)
            {
                words.Return(undelivered);
            }

            throw lost;
        }

        return word;
    }

    // A client that resets while it waits must not be handed the next word (piped words would go to
    // the dead, and a terminal operator would see it in /list). A one-byte peek consumes nothing: it
    // ends with data (the next chunk, which waits its turn), a FIN (a half-close: the word is still
    // owed, as the tutorial sends it) — then there is nothing more to learn — or the reset. (A
    // zero-byte read cannot tell: Linux answers a zero-length recv with 0 even after a reset.)
    private async Task WatchWhileWaitingAsync(WordRequests words, CancellationToken wordCame)
    {
        try
        {
            _peek ??= new byte[1];
            PeerFinished = await Socket.ReceiveAsync(_peek, SocketFlags.Peek, wordCame).ConfigureAwait(false) == 0;
        }
        catch (OperationCanceledException)
        {
            // The word came (or none will): the serve loop reads on.
        }
        catch (SocketException e)
        {
            _lostWhileWaiting = e;
            words.Withdraw(Ticket);
        }
        catch (ObjectDisposedException)
        {
            // Aborted: Abort() withdrew the ticket.
        }
    }
}
