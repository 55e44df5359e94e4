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
internal sealed class TcpConnection
{
    private readonly Socket _socket;
    private readonly TcpServerOptions _options;
    private readonly ServerCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WordRequests? _words;
    private readonly WordTicket _ticket;
    private readonly long _accepted;
    private long _bytesIn;
    private long _bytesOut;
    private long _lastActivity;
    private long _sendStarted;
    private volatile bool _spoke;
    private volatile bool _awaitingWord;
    private SocketException? _lostWhileWaiting;
    private byte[]? _peek;
    private ReadOnlyMemory<byte>? _wordInFlight;
    private string? _abortReason;

    public TcpConnection(int id, Socket socket, IPAddress peer, TcpServerOptions options, ServerCounters counters, ILogger logger, TimeProvider time, WordRequests? words)
    {
        Id = id;
        PeerAddress = peer;
        _socket = socket;
        _options = options;
        _counters = counters;
        _logger = logger;
        _time = time;
        _words = words;
        _ticket = new WordTicket(id);
        Since = time.GetUtcNow();
        _lastActivity = time.GetTimestamp();
        _accepted = _lastActivity;
        RemoteText = EndpointText.Format(socket.RemoteEndPoint);

        // Formatted once: the seed log names the peer on every chunk.
        RemoteAddress = peer.ToString();
    }

    public int Id { get; }

    public string RemoteText { get; }

    public string RemoteAddress { get; }

    public DateTimeOffset Since { get; }

    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>How long neither side has sent anything; zero while the connection waits for its operator word.</summary>
    public TimeSpan IdleFor => _awaitingWord ? TimeSpan.Zero : _time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    public TimeSpan Age => _time.GetElapsedTime(_accepted);

    /// <summary>True once the peer sent its first byte.</summary>
    public bool Spoke => _spoke;

    /// <summary>How long the current send has waited for the peer to read; zero when not sending.</summary>
    public TimeSpan SendingFor => Volatile.Read(ref _sendStarted) is var started and not 0 ? _time.GetElapsedTime(started) : TimeSpan.Zero;

    /// <summary>The address the peer connects from (IPv4-mapped shown as IPv4).</summary>
    public IPAddress PeerAddress { get; }

    public TcpConnectionInfo Snapshot() => new(Id, RemoteText, Since, Volatile.Read(ref _bytesIn), Volatile.Read(ref _bytesOut));

    /// <summary>
    /// Serves the connection until the peer closes, an error, or <see cref="Abort"/>. Never throws:
    /// <see cref="SocketErrors.Ending"/> decides what an exception means, and one that nobody foresaw
    /// is logged as an error, counted and ends this connection only (with a reset).
    /// </summary>
    public async Task RunAsync()
    {
        var end = new ConnectionEnd(ConnectionEndKind.PeerGone, "closed by peer");
        try
        {
            await ServeAsync().ConfigureAwait(false);

            // The peer half-closed and everything owed is sent: answer with our FIN.
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e)
        {
            end = SocketErrors.Ending(e, Volatile.Read(ref _abortReason));

            // The peer went away with its word unsent: the word goes to the next client.
            if (_wordInFlight is { } unsent && _words is not null && end.Kind == ConnectionEndKind.PeerGone)
            {
                _words.Return(unsent);
            }
        }
        finally
        {
            Close(end);
        }
    }

    private void Close(ConnectionEnd end)
    {
        if (end.Reset)
        {
            ResetOnClose();
        }

        _socket.Dispose();
        var reason = Volatile.Read(ref _abortReason) ?? end.Reason;
        if (end.Level != LogLevel.None)
        {
            if (end.Kind == ConnectionEndKind.Unexpected)
            {
                _counters.AddError();
            }

            Log.ConnectionFailed(_logger, end.Level, Id, end.Reason);
        }

        Log.Closed(_logger, Id, reason, Volatile.Read(ref _bytesIn), Volatile.Read(ref _bytesOut));
    }

    /// <summary>Closes the connection at once (reset), e.g. kicked, idle, or left over at shutdown;
    /// false when it was already being aborted.</summary>
    public bool Abort(string reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, reason, null) is not null)
        {
            return false;
        }

        // A connection waiting for its word wakes up to find its socket closed.
        _words?.Withdraw(_ticket);
        ResetOnClose();
        _socket.Dispose();
        return true;
    }

    private void ResetOnClose()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closing: the dispose that follows is all that is left to do.
        }
    }

    // One method, one state machine, allocated once per connection: a send that has to wait for the
    // peer would allocate a helper's state machine per message (measured: 80 bytes each, pooled or not).
    private async Task ServeAsync()
    {
        var seed = _options.Mode == TcpServerMode.Seed;
        var ack = seed ? _options.AckFrame : ReadOnlyMemory<byte>.Empty;
        var autoReply = seed ? _options.AutoReply ?? ReadOnlyMemory<byte>.Empty : ReadOnlyMemory<byte>.Empty;
        var words = seed ? _words : null;
        var receiveSize = _options.ReceiveSize;
        var capacity = SeedReply.Length(receiveSize, ack.Span, autoReply.Span);
        ReadOnlyMemory<byte>? word = null;
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
                    await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(capacity);
                    var received = await _socket.ReceiveAsync(buffer.AsMemory(0, receiveSize), SocketFlags.None).ConfigureAwait(false);
                    if (received == 0)
                    {
                        return;
                    }

                    Received(received);
                    if (seed && _logger.IsEnabled(LogLevel.Information))
                    {
                        Log.Chunk(_logger, Id, RemoteAddress, PeerText.Escape(buffer.AsSpan(0, received)));
                    }
                    else if (!seed && _logger.IsEnabled(LogLevel.Trace))
                    {
                        Log.EchoChunk(_logger, Id, received);
                    }

                    // Echo adds nothing; seed appends ack (and --reply's word) behind the data, in the same buffer.
                    reply = buffer.AsMemory(0, SeedReply.CompleteInPlace(buffer, received, ack.Span, autoReply.Span));
                }

                Volatile.Write(ref _sendStarted, _time.GetTimestamp());
                while (!reply.IsEmpty)
                {
                    var sent = await _socket.SendAsync(reply, SocketFlags.None).ConfigureAwait(false);
                    reply = reply[sent..];
                    Sent(sent);
                }

                Volatile.Write(ref _sendStarted, 0);
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
                word = await WaitForWordAsync(words).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>?> WaitForWordAsync(WordRequests words)
    {
        var wait = words.WaitAsync(_ticket);

        // Abort() withdraws the ticket; if it ran just before the ticket was queued, withdraw it here.
        if (Volatile.Read(ref _abortReason) is not null)
        {
            words.Withdraw(_ticket);
        }

        if (wait.IsCompleted)
        {
            return await wait.ConfigureAwait(false);
        }

        // The wait is the operator's silence, not the client's: it does not count as idle.
        _awaitingWord = true;
        using var watching = new CancellationTokenSource();
        var watcher = WatchWhileWaitingAsync(words, watching.Token);
        ReadOnlyMemory<byte>? word;
        try
        {
            word = await wait.ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
            _awaitingWord = false;
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
            await _socket.ReceiveAsync(_peek, SocketFlags.Peek, wordCame).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The word came (or none will): the serve loop reads on.
        }
        catch (SocketException e)
        {
            _lostWhileWaiting = e;
            words.Withdraw(_ticket);
        }
        catch (ObjectDisposedException)
        {
            // Aborted: Abort() withdrew the ticket.
        }
    }

    private void Received(int count)
    {
        _spoke = true;
        Interlocked.Add(ref _bytesIn, count);
        _counters.AddBytesIn(count);
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
    }

    private void Sent(int count)
    {
        Interlocked.Add(ref _bytesOut, count);
        _counters.AddBytesOut(count);
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
    }
}
