using System.Net;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// One accepted client as the server, the timeout sweep and the operator see it, whichever transport
/// serves it: <see cref="TcpConnection"/> (the runtime's async sockets, every platform) or
/// <see cref="LoopConnection"/> (an epoll <see cref="EventLoop"/>, Linux). Holds what both keep the
/// same way: the counters the sweep and <c>/list</c> read from other threads, the close and its log.
/// </summary>
internal abstract class ServedConnection
{
    private readonly ServerCounters _counters;
    private readonly long _accepted;
    private long _bytesIn;
    private long _bytesOut;
    private long _lastActivity;
    private long _sendStarted;
    private volatile bool _spoke;
    private volatile bool _awaitingWord;
    private volatile bool _peerFinished;
    private string? _abortReason;
    private readonly int _peerPort;
    private string? _remoteAddress;
    private string? _remoteText;
    private long _kernelMoved = LinuxTcpInfo.Unknown;

    /// <summary>A connection from <paramref name="peer"/> (IPv4-mapped given as IPv4) port <paramref name="peerPort"/>.</summary>
    protected ServedConnection(int id, IPAddress peer, int peerPort, TcpServerOptions options, ServerCounters counters, ILogger logger, TimeProvider time, WordRequests? words)
    {
        Id = id;
        PeerAddress = peer;
        _peerPort = peerPort;
        Options = options;
        _counters = counters;
        Logger = logger;
        Time = time;
        Words = options.Mode == TcpServerMode.Seed ? words : null;

        // Only a connection that can wait for the operator needs a place in the queue.
        Ticket = Words is null ? null! : new WordTicket(id);
        Since = time.GetUtcNow();
        _lastActivity = time.GetTimestamp();
        _accepted = _lastActivity;
    }

    public int Id { get; }

    /// <summary>The address the peer connects from (IPv4-mapped shown as IPv4).</summary>
    public IPAddress PeerAddress { get; }

    /// <summary>The peer's address and port as logs show them; formatted when first asked for, so
    /// that an idle connection of a quiet server does not pay for it.</summary>
    public string RemoteText => _remoteText ??= EndpointText.Format(PeerAddress, _peerPort);

    /// <summary>The peer's address as text, formatted on the first chunk's log line and kept: the seed
    /// log names it on every chunk, and an idle connection does not pay for it.</summary>
    public string RemoteAddress => _remoteAddress ??= PeerAddress.ToString();

    public DateTimeOffset Since { get; }

    /// <summary>Done when the connection is closed and logged.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Called once, on the serving thread, when the connection is closed and logged (the
    /// server forgets it there; a loop connection has no task of its own to wait on).</summary>
    public Action<ServedConnection>? Closed { get; set; }

    /// <summary>How long neither side has sent anything; zero while the connection waits for its operator word.</summary>
    public TimeSpan IdleFor => _awaitingWord ? TimeSpan.Zero : Time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    public TimeSpan Age => Time.GetElapsedTime(_accepted);

    /// <summary>True once the peer sent its first byte.</summary>
    public bool Spoke => _spoke;

    /// <summary>How long the current send has waited for the peer to read; zero when not sending.</summary>
    public TimeSpan SendingFor => Volatile.Read(ref _sendStarted) is var started and not 0 ? Time.GetElapsedTime(started) : TimeSpan.Zero;

    protected TcpServerOptions Options { get; }

    protected ILogger Logger { get; }

    protected TimeProvider Time { get; }

    /// <summary>The operator's words, in seed mode with an operator; null otherwise.</summary>
    protected WordRequests? Words { get; }

    /// <summary>This connection's place in the operator's queue; only with <see cref="Words"/>.</summary>
    protected WordTicket Ticket { get; }

    /// <summary>Why <see cref="Abort"/> was called, once it was.</summary>
    protected string? AbortReason => Volatile.Read(ref _abortReason);

    /// <summary>While waiting for the operator's word, the wait is the operator's silence, not the client's.</summary>
    protected bool AwaitingWord
    {
        set
        {
            if (!value)
            {
                Touch();
            }

            _awaitingWord = value;
        }
    }

    /// <summary>Bytes received so far (any thread).</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Bytes sent so far (any thread).</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    public TcpConnectionInfo Snapshot() => new(Id, RemoteText, Since, Volatile.Read(ref _bytesIn), Volatile.Read(ref _bytesOut),
        Time.GetElapsedTime(Volatile.Read(ref _lastActivity)), PeerFinished);

    /// <summary>The peer sent a FIN while the connection waits for its word (see <see cref="TcpConnectionInfo.Finished"/>).</summary>
    protected bool PeerFinished
    {
        get => _peerFinished;
        set => _peerFinished = value;
    }

    /// <summary>Serves until the peer closes, an error, or <see cref="Abort"/>; never throws.</summary>
    public abstract Task RunAsync();

    /// <summary>Closes the connection at once (reset), e.g. kicked, idle, or left over at shutdown;
    /// false when it was already being aborted. Any thread.</summary>
    public bool Abort(string reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, reason, null) is not null)
        {
            return false;
        }

        // A connection waiting for its word wakes up to find its socket closed.
        Words?.Withdraw(Ticket);
        OnAbort();
        return true;
    }

    /// <summary>What an abort does to the socket: the transport's own way to close it at once.</summary>
    protected abstract void OnAbort();

    /// <summary>Bytes the kernel has acknowledged plus received on the socket (<see cref="LinuxTcpInfo"/>), or
    /// <see cref="LinuxTcpInfo.Unknown"/>. Called from the timeout sweep's thread.</summary>
    protected abstract long KernelBytesMoved();

    /// <summary>The sweep's thread, half-way to a verdict: takes the kernel's figure, unless one was
    /// taken since the connection's own last activity.</summary>
    public void SampleKernel()
    {
        if (Volatile.Read(ref _kernelMoved) == LinuxTcpInfo.Unknown)
        {
            Volatile.Write(ref _kernelMoved, KernelBytesMoved());
        }
    }

    /// <summary>
    /// The sweep's thread, for a connection about to be cut for silence or for not reading: whether
    /// the kernel moved bytes since the figure taken half-way (then the idle and send clocks restart:
    /// the peer is reading, or sending, however slowly), whether there was no figure yet (the clock
    /// jumped past half-way: the verdict waits for the next look), or neither.
    /// </summary>
    public KernelProgress KernelProgress()
    {
        var now = KernelBytesMoved();
        if (now == LinuxTcpInfo.Unknown)
        {
            return Tcp.KernelProgress.None;
        }

        var before = Interlocked.Exchange(ref _kernelMoved, now);
        if (before == LinuxTcpInfo.Unknown)
        {
            return Tcp.KernelProgress.FirstLook;
        }

        if (before == now)
        {
            return Tcp.KernelProgress.None;
        }

        var stamp = Time.GetTimestamp();
        Volatile.Write(ref _lastActivity, stamp);
        if (Volatile.Read(ref _sendStarted) is var started and not 0)
        {
            // Only a send still under way restarts: one that just finished stays finished.
            Interlocked.CompareExchange(ref _sendStarted, stamp, started);
        }

        return Tcp.KernelProgress.Moved;
    }

    /// <summary>The timestamp to stamp activity with: the clock's, or a loop's (read once per round of events).</summary>
    protected virtual long Now => Time.GetTimestamp();

    protected void SendStarted() => Volatile.Write(ref _sendStarted, Now);

    /// <summary>A reply is all sent: its time since <see cref="SendStarted"/> (on a loop, the start of the round that read its chunk) is counted (<see cref="RecordReply"/>).</summary>
    protected void SendFinished()
    {
        var started = Volatile.Read(ref _sendStarted);
        Volatile.Write(ref _sendStarted, 0);
        if (started != 0)
        {
            // The real clock, not a loop's round: a reply sent in the round that read its chunk took
            // the rest of that round's work (about 20 ns for the clock, measured by bench/).
            var ticks = Time.GetTimestamp() - started;
            RecordReply(Time.TimestampFrequency == 1_000_000_000 ? ticks : (long)(ticks * (1e9 / Time.TimestampFrequency)));
        }
    }

    /// <summary>Counts a reply's time in nanoseconds; a loop keeps its own, without a lock.</summary>
    protected virtual void RecordReply(long nanoseconds) => _counters.RecordReply(nanoseconds);

    // One writer per connection (its task, or its loop), readers elsewhere: no atomic add needed.
    protected void Received(int count)
    {
        _spoke = true;
        Volatile.Write(ref _bytesIn, _bytesIn + count);
        CountIn(count);
        Touch();
    }

    protected void Sent(int count)
    {
        Volatile.Write(ref _bytesOut, _bytesOut + count);
        CountOut(count);
        Touch();
    }

    /// <summary>Adds to the server's totals; a loop adds them up per round instead.</summary>
    protected virtual void CountIn(int count) => _counters.AddBytesIn(count);

    /// <summary>Adds to the server's totals; a loop adds them up per round instead.</summary>
    protected virtual void CountOut(int count) => _counters.AddBytesOut(count);

    /// <summary>The chunk's log line: seed mode at information, echo at trace.</summary>
    protected void LogChunk(ReadOnlySpan<byte> data)
    {
        if (Options.Mode == TcpServerMode.Seed)
        {
            if (Logger.IsEnabled(LogLevel.Information))
            {
                Log.Chunk(Logger, Id, RemoteAddress, PeerText.Escape(data));
            }
        }
        else if (Logger.IsEnabled(LogLevel.Trace))
        {
            Log.EchoChunk(Logger, Id, data.Length);
        }
    }

    /// <summary>Closes the socket (reset first when the ending calls for one) and logs the close.</summary>
    protected void Close(ConnectionEnd end)
    {
        // Its chunk's wait starts before the reply is sent: a connection that ended on the way
        // (the reply failed) leaves the queue here, or a word meant for a live client would go to it.
        Words?.Withdraw(Ticket);
        CloseSocket(end.Reset);
        var reason = AbortReason ?? end.Reason;
        if (end.Level != LogLevel.None)
        {
            if (end.Kind == ConnectionEndKind.Unexpected)
            {
                _counters.AddError();
            }

            Log.ConnectionFailed(Logger, end.Level, Id, end.Reason);
        }

        Log.Closed(Logger, Id, reason, Volatile.Read(ref _bytesIn), Volatile.Read(ref _bytesOut));
    }

    /// <summary>Closes the transport's socket; with <paramref name="reset"/>, SO_LINGER 0 first, so the close sends a reset.</summary>
    protected abstract void CloseSocket(bool reset);

    // The connection's own activity: the kernel's figure from before it says nothing any more.
    private void Touch()
    {
        Volatile.Write(ref _lastActivity, Now);
        _kernelMoved = LinuxTcpInfo.Unknown;
    }
}

/// <summary>What <see cref="ServedConnection.KernelProgress"/> found.</summary>
internal enum KernelProgress
{
    /// <summary>Nothing moved since the last look, or the kernel cannot tell.</summary>
    None,

    /// <summary>The first look: the figure is taken, the verdict waits for the next look.</summary>
    FirstLook,

    /// <summary>Bytes moved: the peer is working, its clocks restart.</summary>
    Moved,
}
