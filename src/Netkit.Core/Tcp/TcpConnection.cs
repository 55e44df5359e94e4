using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// One accepted client. It waits for data with a zero-byte read, so an idle connection holds no
/// buffer; only then it rents one, reads, answers from the same buffer and returns it. Replies are
/// sent before the next read, so a client that stops reading stalls only itself: TCP flow control
/// pushes back and the server never buffers more than one reply per connection.
/// </summary>
internal sealed class TcpConnection
{
    private readonly Socket _socket;
    private readonly TcpServerOptions _options;
    private readonly ServerCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private long _bytesIn;
    private long _bytesOut;
    private long _lastActivity;
    private readonly long _accepted;
    private long _sendStarted;
    private int _queuedWords;
    private volatile bool _spoke;
    private string? _abortReason;

    // Operator words owed for chunks already answered with data and ack. The tutorial's server
    // sends the word before it reads on, so a client that half-closes still gets it: at EOF we
    // wait until nothing is owed, the operator's input ends, or the connection is aborted.
    private int _owed;
    private TaskCompletionSource? _settled;

    public TcpConnection(int id, Socket socket, IPAddress peer, TcpServerOptions options, ServerCounters counters, ILogger logger, TimeProvider time)
    {
        Id = id;
        PeerAddress = peer;
        _socket = socket;
        _options = options;
        _counters = counters;
        _logger = logger;
        _time = time;
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

    public TimeSpan IdleFor => _time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    public TimeSpan Age => _time.GetElapsedTime(_accepted);

    /// <summary>True once the peer sent its first byte.</summary>
    public bool Spoke => _spoke;

    /// <summary>How long the current send has waited for the peer to read; zero when not sending.</summary>
    public TimeSpan SendingFor => Volatile.Read(ref _sendStarted) is var started and not 0 ? _time.GetElapsedTime(started) : TimeSpan.Zero;

    /// <summary>The address the peer connects from (IPv4-mapped shown as IPv4).</summary>
    public IPAddress PeerAddress { get; }

    public TcpConnectionInfo Snapshot() => new(Id, RemoteText, Since, Volatile.Read(ref _bytesIn), Volatile.Read(ref _bytesOut));

    /// <summary>Serves the connection until the peer closes, an error, or <see cref="Abort"/>.</summary>
    public async Task RunAsync(ChannelWriter<int>? chunks, Func<bool> wordsEnded)
    {
        var reason = "closed by peer";
        try
        {
            await ServeAsync(chunks, wordsEnded).ConfigureAwait(false);

            // The peer half-closed and everything owed is sent: answer with our FIN.
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException e) when (Volatile.Read(ref _abortReason) is null && SocketErrors.IsConnectionGone(e.SocketErrorCode))
        {
            reason = SocketErrors.Describe(e);
        }
        catch (Exception e) when (Volatile.Read(ref _abortReason) is not null && e is SocketException or ObjectDisposedException)
        {
            // Abort() closed the socket under a pending read or write.
        }
        catch (SocketException e)
        {
            reason = SocketErrors.Describe(e);
        }
        finally
        {
            reason = Volatile.Read(ref _abortReason) ?? reason;
            _socket.Dispose();
            Log.Closed(_logger, Id, reason, Volatile.Read(ref _bytesIn), Volatile.Read(ref _bytesOut));
        }
    }

    /// <summary>Closes the connection at once (reset), e.g. kicked, idle, or left over at shutdown;
    /// false when it was already being aborted.</summary>
    public bool Abort(string reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, reason, null) is not null)
        {
            return false;
        }

        Volatile.Read(ref _settled)?.TrySetResult();
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closing: the dispose below is all that is left to do.
        }

        _socket.Dispose();
        return true;
    }

    /// <summary>Sends an operator word; false when the connection is gone.</summary>
    public async Task<bool> SendWordAsync(ReadOnlyMemory<byte> word)
    {
        if (Interlocked.Increment(ref _queuedWords) > _options.MaxQueuedWords)
        {
            Interlocked.Decrement(ref _queuedWords);
            Log.WordDropped(_logger, Id, $"{_options.MaxQueuedWords} words already wait for this client (it is not reading)");
            return false;
        }

        try
        {
            await SendAsync(word).ConfigureAwait(false);
            if (SettleOne() == 0)
            {
                Volatile.Read(ref _settled)?.TrySetResult();
            }

            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Log.WordDropped(_logger, Id, e is SocketException se ? SocketErrors.Describe(se) : "connection closed");
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _queuedWords);
        }
    }

    // One owed word delivered; never below zero (a word may come unasked, e.g. /all).
    private int SettleOne()
    {
        while (true)
        {
            var owed = Volatile.Read(ref _owed);
            if (owed == 0 || Interlocked.CompareExchange(ref _owed, owed - 1, owed) == owed)
            {
                return Math.Max(owed - 1, 0);
            }
        }
    }

    /// <summary>The operator will send no more words: stop waiting for any at EOF.</summary>
    public void ReleaseOwedWords()
    {
        Interlocked.Exchange(ref _owed, 0);
        Volatile.Read(ref _settled)?.TrySetResult();
    }

    private async Task ServeAsync(ChannelWriter<int>? chunks, Func<bool> wordsEnded)
    {
        var seed = _options.Mode == TcpServerMode.Seed;
        var ack = seed ? _options.AckFrame : ReadOnlyMemory<byte>.Empty;
        var word = seed ? _options.AutoReply ?? ReadOnlyMemory<byte>.Empty : ReadOnlyMemory<byte>.Empty;
        var receiveSize = _options.ReceiveSize;
        var capacity = SeedReply.Length(receiveSize, ack.Span, word.Span);
        while (true)
        {
            // Wait for data without holding a buffer: an idle connection owns no memory.
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(capacity);
            int received;
            try
            {
                received = await _socket.ReceiveAsync(buffer.AsMemory(0, receiveSize), SocketFlags.None).ConfigureAwait(false);
                if (received > 0)
                {
                    Received(received);
                    if (seed && _logger.IsEnabled(LogLevel.Information))
                    {
                        Log.Chunk(_logger, Id, RemoteAddress, PeerText.Escape(buffer.AsSpan(0, received)));
                    }

                    // Echo adds nothing; seed appends ack and word behind the data, in the same buffer.
                    var length = SeedReply.CompleteInPlace(buffer, received, ack.Span, word.Span);

                    // The send is awaited here rather than in a helper: this method's state machine is
                    // allocated once per connection, a helper's would be allocated per message.
                    await _sendLock.WaitAsync().ConfigureAwait(false);
                    Volatile.Write(ref _sendStarted, _time.GetTimestamp());
                    try
                    {
                        var reply = buffer.AsMemory(0, length);
                        while (!reply.IsEmpty)
                        {
                            var sent = await _socket.SendAsync(reply, SocketFlags.None).ConfigureAwait(false);
                            reply = reply[sent..];
                            Sent(sent);
                        }
                    }
                    finally
                    {
                        Volatile.Write(ref _sendStarted, 0);
                        _sendLock.Release();
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (received == 0)
            {
                break;
            }

            if (seed && chunks is not null)
            {
                Interlocked.Increment(ref _owed);
                chunks.TryWrite(Id);
            }
        }

        await AwaitOwedWordsAsync(wordsEnded).ConfigureAwait(false);
    }

    private async Task AwaitOwedWordsAsync(Func<bool> wordsEnded)
    {
        if (Volatile.Read(ref _owed) == 0 || wordsEnded())
        {
            return;
        }

        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A full fence (not a plain store) before reading _owed again: a sender that decrements
        // _owed after this line will see _settled; one that did before, we see in _owed.
        Interlocked.Exchange(ref _settled, settled);

        // Checked again now that a sender can see _settled, so no release is missed.
        if (Volatile.Read(ref _owed) > 0 && !wordsEnded() && Volatile.Read(ref _abortReason) is null)
        {
            await settled.Task.ConfigureAwait(false);
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

    private async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        Volatile.Write(ref _sendStarted, _time.GetTimestamp());
        try
        {
            while (!data.IsEmpty)
            {
                var sent = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
                data = data[sent..];
                Sent(sent);
            }
        }
        finally
        {
            Volatile.Write(ref _sendStarted, 0);
            _sendLock.Release();
        }
    }
}
