using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// One accepted client served by an <see cref="EventLoop"/>: the same conversation as
/// <see cref="TcpConnection"/>, driven by epoll readiness instead of async calls. Every method but
/// <see cref="RunAsync"/> and <see cref="ServedConnection.Abort"/> runs on the loop's thread.
/// A read goes into the loop's one buffer and its reply is sent from there at once; only a short
/// write rents a tail for the rest, and reads stay paused (epoll watches for writability instead)
/// until it is sent: the same backpressure, one reply per connection at most. In seed mode with an
/// operator, reads also stay paused until the chunk's word came and was sent; meanwhile epoll
/// watches only for the peer's FIN (the word is still owed) or a reset (the word goes to the next).
/// </summary>
internal sealed class LoopConnection : ServedConnection
{
    private readonly EventLoop _loop;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _fd;
    private int _slot = -1;
    private State _state;
    private byte[]? _tail;
    private ReadOnlyMemory<byte> _pending;
    private ReadOnlyMemory<byte>? _wordInFlight;
    private bool _answeringChunk;
    private ValueTask<ReadOnlyMemory<byte>?> _wordWait;
    private bool _closed;

    /// <summary>A connection on <paramref name="fd"/>, the accepted socket (non-blocking), which it owns and closes on its loop.</summary>
    public LoopConnection(int id, int fd, IPAddress peer, int peerPort, TcpServerOptions options, ServerCounters counters, ILogger logger, TimeProvider time, WordRequests? words, EventLoop loop)
        : base(id, peer, peerPort, options, counters, logger, time, words)
    {
        _loop = loop;
        _fd = fd;
    }

    private enum State
    {
        Reading,
        Writing,
        AwaitingWord,
        AwaitingWordAfterFin,
    }

    public override Task RunAsync()
    {
        if (_loop.IsCurrentThread)
        {
            Start();
        }
        else
        {
            _loop.Post(this, LoopCommand.Start);
        }

        return _done.Task;
    }

    protected override void OnAbort() => _loop.Post(this, LoopCommand.Abort);

    // From the sweep's thread: a read-only getsockopt, harmless even if the loop has just closed the
    // descriptor (then the connection is closed and the verdict moot).
    protected override long KernelBytesMoved() => _closed ? LinuxTcpInfo.Unknown : LinuxTcpInfo.BytesMoved(_fd);

    protected override long Now => _loop.Now;

    protected override void CountIn(int count) => _loop.BytesIn += count;

    protected override void CountOut(int count) => _loop.BytesOut += count;

    protected override void RecordReply(long nanoseconds) => _loop.ReplyTimes.Record(nanoseconds);

    /// <summary>On the loop: joins epoll and waits for the first chunk.</summary>
    public void Start()
    {
        if (AbortReason is not null)
        {
            AbortNow(null);
            return;
        }

        try
        {
            _slot = _loop.Register(this, _fd, LinuxEpoll.In);
            if (_slot < 0)
            {
                // ENOMEM or ENOSPC (fs.epoll.max_user_watches): the kernel takes no more sockets.
                End(new SocketException((int)SocketError.TooManyOpenSockets));
            }
        }
        catch (Exception e)
        {
            End(e);
        }
    }

    /// <summary>On the loop: what epoll reported for this socket.</summary>
    public void OnEvents(uint events)
    {
        try
        {
            switch (_state)
            {
                case State.Reading:
                    ReadOnce();
                    break;
                case State.Writing:
                    Flush();
                    break;
                default:
                    WhileWaiting(events);
                    break;
            }
        }
        catch (Exception e)
        {
            End(e);
        }
    }

    /// <summary>On the loop: the operator's word for the last chunk, or null when none will come.</summary>
    public void OnWord(ReadOnlyMemory<byte>? word)
    {
        if (_closed)
        {
            // Gone while it waited: the word goes to the next client.
            if (word is { } undelivered)
            {
                Words?.Return(undelivered);
            }

            return;
        }

        try
        {
            AwaitingWord = false;
            Answer(word);
        }
        catch (Exception e)
        {
            End(e);
        }
    }

    /// <summary>On the loop: resets and closes the connection (kicked, timed out, stopping).</summary>
    public void AbortNow(string? reason)
    {
        if (_closed)
        {
            return;
        }

        if (reason is not null)
        {
            _ = Abort(reason);
        }

        LinuxStreamSocket.ResetOnClose(_fd);
        CloseNow(new ConnectionEnd(ConnectionEndKind.Aborted, AbortReason ?? "aborted"));
    }

    /// <summary>On the loop, the last resort when even closing threw: the socket is reset and
    /// closed and the server forgets the connection, with nothing more logged.</summary>
    public void Abandon()
    {
        if (_slot >= 0)
        {
            _loop.Unregister(_fd, _slot);
            _slot = -1;
        }

        if (!_closed)
        {
            _closed = true;
            CloseSocket(reset: true);
            Closed?.Invoke(this);
        }

        _done.TrySetResult();
    }

    private void ReadOnce()
    {
        var buffer = _loop.Buffer;
        var received = LinuxStreamSocket.Receive(_fd, buffer.AsSpan(0, _loop.ReceiveSize), out var errno);
        if (received < 0)
        {
            if (errno is not (LinuxStreamSocket.Eagain or LinuxStreamSocket.Eintr))
            {
                End(LinuxStreamSocket.Error(errno));
            }

            return;
        }

        if (received == 0)
        {
            // The peer half-closed and everything owed is sent: answer with our FIN. ENOTCONN: the
            // peer closed both ways before we could (sent and closed at once), which is the same
            // ending; the runtime's Shutdown, on the async transport, says nothing either.
            if (LinuxStreamSocket.ShutdownSend(_fd) is var failed and not 0 and not LinuxStreamSocket.Enotconn)
            {
                End(LinuxStreamSocket.Error(failed));
                return;
            }

            CloseNow(new ConnectionEnd(ConnectionEndKind.PeerGone, "closed by peer"));
            return;
        }

        Received(received);
        Options.Tap?.Data(Id, true, buffer.AsSpan(0, received));
        LogChunk(buffer.AsSpan(0, received));

        // Echo adds nothing; seed appends ack (and --reply's word) behind the data, in the same buffer.
        var length = SeedReply.CompleteInPlace(buffer, received, _loop.Ack.Span, _loop.AutoReply.Span);
        _answeringChunk = true;

        // The wait for this chunk's word starts before its data and ack go out: once the client has
        // them it waits, and so must the queue (an operator who ends input then releases it, counted).
        // A word that comes while the reply is still sending is kept until it is sent.
        if (Words is { } words)
        {
            _wordWait = words.WaitAsync(Ticket);
        }

        Send(buffer.AsMemory(0, length), ownedByLoop: true);
    }

    // Sends what the socket takes now; the rest waits for EPOLLOUT, with reads paused meanwhile.
    private void Send(ReadOnlyMemory<byte> reply, bool ownedByLoop)
    {
        SendStarted();
        var sent = SendNow(reply.Span);
        if (sent < 0)
        {
            return;
        }

        if (sent == reply.Length)
        {
            Replied();
            return;
        }

        // The loop's buffer is the next connection's: the rest is copied out. A word is the
        // operator's and stays as it is until sent.
        if (ownedByLoop)
        {
            var rest = reply.Length - sent;
            _tail = ArrayPool<byte>.Shared.Rent(rest);
            reply.Span[sent..].CopyTo(_tail);
            _pending = _tail.AsMemory(0, rest);
        }
        else
        {
            _pending = reply[sent..];
        }

        _state = State.Writing;
        _loop.Watch(_fd, _slot, LinuxEpoll.Out);
    }

    private void Flush()
    {
        var sent = SendNow(_pending.Span);
        if (sent < 0)
        {
            return;
        }

        _pending = _pending[sent..];
        if (!_pending.IsEmpty)
        {
            return;
        }

        if (_tail is not null)
        {
            ArrayPool<byte>.Shared.Return(_tail);
            _tail = null;
        }

        Replied();
    }

    // Bytes the socket took (it may be fewer than offered), or -1 when the connection ended.
    // A short write means the socket's buffer is full: asking again would only return EAGAIN (one
    // wasted system call per chunk of a bulk transfer), so the rest waits for EPOLLOUT at once.
    private int SendNow(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var sent = LinuxStreamSocket.Send(_fd, data, out var errno);
            if (sent >= 0)
            {
                Sent(sent);
                Options.Tap?.Data(Id, false, data[..sent]);
                return sent;
            }

            switch (errno)
            {
                case LinuxStreamSocket.Eintr:
                    continue;
                case LinuxStreamSocket.Eagain:
                    return 0;
                default:
                    End(LinuxStreamSocket.Error(errno));
                    return -1;
            }
        }
    }

    private void Replied()
    {
        SendFinished();
        _wordInFlight = null;

        // The tutorial's order: the next chunk is read only after this one's word is sent.
        if (Words is not null && _answeringChunk)
        {
            WaitForWord(Words);
            return;
        }

        Read();
    }

    private void Read()
    {
        if (_state != State.Reading)
        {
            _state = State.Reading;
            _loop.Watch(_fd, _slot, LinuxEpoll.In);
        }
    }

    private void WaitForWord(WordRequests words)
    {
        var wait = _wordWait;
        _wordWait = default;

        // Abort() withdraws the ticket; if it ran just before the ticket was queued, withdraw it here.
        if (AbortReason is not null)
        {
            words.Withdraw(Ticket);
        }

        if (wait.IsCompleted)
        {
            Answer(wait.Result);
            return;
        }

        // Until the word comes, epoll reports only the peer's FIN and errors: data waits its turn.
        AwaitingWord = true;
        _state = State.AwaitingWord;
        _loop.Watch(_fd, _slot, LinuxEpoll.ReadHangUp);
        _ = wait.AsTask().ContinueWith(
            static (task, state) =>
            {
                var connection = (LoopConnection)state!;
                connection._loop.Post(connection, LoopCommand.Word, task.IsCompletedSuccessfully ? task.Result : null);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Answer(ReadOnlyMemory<byte>? word)
    {
        _answeringChunk = false;
        if (word is { } typed)
        {
            _wordInFlight = typed;
            Send(typed, ownedByLoop: false);
        }
        else
        {
            Read();
        }
    }

    private void WhileWaiting(uint events)
    {
        if ((events & (LinuxEpoll.Error | LinuxEpoll.HangUp)) != 0)
        {
            // Reset while it waits: it must not be handed the next word. A one-byte peek names the error.
            var errno = LinuxStreamSocket.PeekError(_fd);
            Words?.Withdraw(Ticket);
            End(errno == 0 ? new SocketException((int)SocketError.ConnectionReset) : LinuxStreamSocket.Error(errno));
            return;
        }

        if (_state == State.AwaitingWord && (events & LinuxEpoll.ReadHangUp) != 0)
        {
            // A half-close: the word is still owed, as the tutorial sends it; nothing more to learn
            // but a reset, which epoll reports without being asked.
            _state = State.AwaitingWordAfterFin;
            PeerFinished = true;
            _loop.Watch(_fd, _slot, 0);
        }
    }

    protected override void CloseSocket(bool reset)
    {
        if (reset)
        {
            LinuxStreamSocket.ResetOnClose(_fd);
        }

        LinuxStreamSocket.Close(_fd);
    }

    private void End(Exception e)
    {
        var end = SocketErrors.Ending(e, AbortReason);

        // The peer went away with its word unsent: the word goes to the next client.
        if (_wordInFlight is { } unsent && Words is not null && end.Kind == ConnectionEndKind.PeerGone)
        {
            Words.Return(unsent);
            _wordInFlight = null;
        }

        CloseNow(end);
    }

    private void CloseNow(ConnectionEnd end)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (_slot >= 0)
        {
            _loop.Unregister(_fd, _slot);
            _slot = -1;
        }

        if (_tail is not null)
        {
            ArrayPool<byte>.Shared.Return(_tail);
            _tail = null;
        }

        try
        {
            Close(end);
        }
        finally
        {
            Closed?.Invoke(this);
            _done.TrySetResult();
        }
    }
}
