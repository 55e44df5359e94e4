using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// A concurrent TCP server over an already bound, listening socket: every client is served at once,
/// each by its own <see cref="TcpConnection"/> (a task on the runtime's async sockets) or, with
/// <see cref="TcpServerOptions.EventLoops"/> on Linux, a <see cref="LoopConnection"/> on one of that
/// many epoll <see cref="EventLoop"/> threads (the loop that accepted it, or the next in turn: see
/// <see cref="TcpServerOptions.AcceptOnEveryLoop"/>); the loops start with the server, so a server
/// that cannot have them fails before it listens. It runs until the token fires (or, with
/// <see cref="TcpServerOptions.Once"/>, until its one client leaves), then stops accepting, lets the
/// live connections finish within <see cref="TcpServerOptions.ShutdownTimeout"/> and resets the rest.
/// Who is admitted is <see cref="TcpAdmission"/>'s call; timeouts are <see cref="ConnectionSweep"/>'s.
/// </summary>
public sealed class TcpServer
{
    private readonly Socket _listener;
    private readonly TcpServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    // By id, boxed: a dictionary keyed on a reference type shares the runtime's own compiled code,
    // where an int key costs the AOT binary 5 KB more (one box per connection, none per message).
    private readonly ConcurrentDictionary<object, ServedConnection> _connections = new();
    private readonly TcpAdmission _admission;
    private readonly ConnectionSweep _sweep;
    private readonly Action<ServedConnection> _forget;
    private readonly EventLoop[]? _loops;
    private readonly TalkerTable _talkers = new();
    private ServedConnection? _onlyClient;
    private int _nextId;

    /// <summary>Creates a server; it owns <paramref name="listener"/> and closes it when it stops accepting.</summary>
    public TcpServer(Socket listener, TcpServerOptions options, ILogger logger, TimeProvider? time = null)
    {
        _listener = listener;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _admission = new TcpAdmission(options.Access, options.MaxConnections, options.MaxPerIp);
        _sweep = new ConnectionSweep(options, Counters, _time);
        Words = options.OperatorWords && options.Mode == TcpServerMode.Seed ? new WordRequests() : null;
        LocalEndPoint = listener.LocalEndPoint ?? new IPEndPoint(IPAddress.Any, 0);
        _forget = Forget;

        // Here, not in RunAsync: a server that cannot start its loops fails before it says it listens.
        if (_options.EventLoops > 0 && LinuxEpoll.IsSupported)
        {
            _loops = StartLoops();
        }
    }

    /// <summary>What the server did so far.</summary>
    public ServerCounters Counters { get; } = new();

    /// <summary>The address the server listens on (the real port when bound to port 0).</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>The connections waiting for an operator word, with <see cref="TcpServerOptions.OperatorWords"/>
    /// in seed mode; null otherwise. The operator answers them here.</summary>
    public WordRequests? Words { get; }

    /// <summary>The live connections.</summary>
    public IReadOnlyList<TcpConnectionInfo> Snapshot()
    {
        var live = new List<TcpConnectionInfo>(_connections.Count);
        foreach (var connection in _connections.Values)
        {
            live.Add(connection.Snapshot());
        }

        live.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return live;
    }

    /// <summary>Closes connection <paramref name="id"/> at once; false when it is gone.</summary>
    public bool Kick(int id) => _connections.TryGetValue(id, out var connection) && connection.Abort("kicked by the operator");

    /// <summary>Resets every live connection at once (a forced stop: the drain is cut short).</summary>
    public void Abort()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Abort("server stopping");
        }
    }

    /// <summary>The transport serving connections: <c>epoll</c> with its loop count, or <c>async</c>.</summary>
    public string Transport => _options.EventLoops > 0 && LinuxEpoll.IsSupported ? $"epoll, {_options.EventLoops} loop(s)" : "async";

    /// <summary>Accepts and serves until <paramref name="stop"/> fires, then drains; never throws for a client's fault.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var sweepStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sweep = _sweep.RunAsync(_connections, sweepStop.Token);
        try
        {
            try
            {
                if (_loops is { } loops)
                {
                    await AcceptOnLoopAsync(loops, stop).ConfigureAwait(false);
                }
                else
                {
                    await AcceptAsync(stop).ConfigureAwait(false);
                }
            }
            finally
            {
                _listener.Dispose();

                // No operator answers a stopping server: whoever waits for a word goes on without it,
                // so the drain finishes conversations instead of waiting for words that cannot come.
                Words?.End();
            }

            await DrainAsync().ConfigureAwait(false);
            await sweepStop.CancelAsync().ConfigureAwait(false);
            await sweep.ConfigureAwait(false);
        }
        finally
        {
            foreach (var loop in _loops ?? [])
            {
                loop.Dispose();
            }
        }
    }

    private EventLoop[] StartLoops()
    {
        var loops = new EventLoop[_options.EventLoops];
        try
        {
            for (var i = 0; i < loops.Length; i++)
            {
                loops[i] = new EventLoop($"netkit-loop-{i + 1}", _options, _time, Counters);
            }

            return loops;
        }
        catch (IOException e)
        {
            foreach (var loop in loops)
            {
                loop?.Dispose();
            }

            throw new NetkitException(FailureKind.Denied, $"cannot start {loops.Length} event loop(s) (--loops): {e.Message}; each takes two descriptors");
        }
    }

    private async Task AcceptAsync(CancellationToken stop)
    {
        // Stop by closing the listener rather than passing the token to every accept: one
        // registration for the server's life instead of one per connection.
        using var closeOnStop = stop.Register(static l => ((Socket)l!).Dispose(), _listener);
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors, a connection reset while queued, ...: one bad accept never stops the server.
                Log.AcceptFailed(_logger, SocketErrors.Describe(e));
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            var peer = EndpointText.Normalize((client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None);
            if (_admission.Admit(peer) is { } refusal)
            {
                Refuse(client, refusal);
                continue;
            }

            var id = Interlocked.Increment(ref _nextId);
            var port = (client.RemoteEndPoint as IPEndPoint)?.Port ?? 0;
            var connection = new TcpConnection(id, client, peer, port, _options, Counters, _logger, _time, Words);
            Serve(connection);
            if (_options.Once)
            {
                _listener.Dispose();
                try
                {
                    await connection.Completion.WaitAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped while the one client is still here: the drain deals with it.
                }

                return;
            }
        }
    }

    // Either every loop accepts on the one listener (EPOLLEXCLUSIVE: the kernel wakes one idle
    // loop per connection, which then serves it), or the first loop accepts for all and hands the
    // connections out in turn; --once has one acceptor, which stops at its client.
    private async Task AcceptOnLoopAsync(EventLoop[] loops, CancellationToken stop)
    {
        _listener.Blocking = false;
        var fd = (int)_listener.SafeHandle.DangerousGetHandle();
        var everyLoop = _options.AcceptOnEveryLoop && loops.Length > 1 && !_options.Once;
        var acceptors = new LoopAcceptor[everyLoop ? loops.Length : 1];
        var notes = new LoopAcceptor.Notes();
        for (var i = 0; i < acceptors.Length; i++)
        {
            var loop = loops[i];
            acceptors[i] = new LoopAcceptor(loop, fd, everyLoop, (client, peer, port) => AdmitOnLoop(everyLoop ? loop : null, client, peer, port), _logger, _time, notes);
        }

        var stopped = new Task[acceptors.Length];
        for (var i = 0; i < acceptors.Length; i++)
        {
            acceptors[i].Start();
            stopped[i] = acceptors[i].Stopped;
        }

        using (stop.Register(static a => Array.ForEach((LoopAcceptor[])a!, acceptor => acceptor.Stop()), acceptors))
        {
            await Task.WhenAll(stopped).ConfigureAwait(false);
        }

        if (_onlyClient is { } only)
        {
            try
            {
                await only.Completion.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while the one client is still here: the drain deals with it.
            }
        }
    }

    // On an accepting loop, for each accepted descriptor, which that loop serves (or, with null,
    // the loops in turn); false once --once has its client.
    private bool AdmitOnLoop(EventLoop? servingLoop, int fd, IPAddress peer, int port)
    {
        if (_admission.Admit(peer) is { } refusal)
        {
            Counters.AddDrop(refusal.Reason);
            Log.Rejected(_logger, EndpointText.Format(peer, port), refusal.Why);
            LinuxStreamSocket.ResetOnClose(fd);
            LinuxStreamSocket.Close(fd);
            return true;
        }

        var id = Interlocked.Increment(ref _nextId);
        var loops = _loops!;
        var connection = new LoopConnection(id, fd, peer, port, _options, Counters, _logger, _time, Words, servingLoop ?? loops[id % loops.Length]);
        Serve(connection);
        if (_options.Once)
        {
            _onlyClient = connection;
            return false;
        }

        return true;
    }

    private void Serve(ServedConnection connection)
    {
        Counters.AddAccepted();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.Accepted(_logger, connection.Id, connection.RemoteText);
        }

        _connections[connection.Id] = connection;
        if (connection is LoopConnection)
        {
            // No task per connection: the loop says when it is closed.
            connection.Closed = _forget;
            connection.Completion = connection.RunAsync();
        }
        else
        {
            connection.Completion = ServeAsync(connection);
        }
    }

    private void Refuse(Socket client, Refusal refusal)
    {
        Counters.AddDrop(refusal.Reason);
        Log.Rejected(_logger, EndpointText.Format(client.RemoteEndPoint), refusal.Why);

        // Closed at once with a reset: no byte of theirs is read, none of ours is owed.
        try
        {
            client.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer (macOS says EINVAL): closing is all that is left.
        }

        client.Dispose();
    }

    private async Task ServeAsync(ServedConnection connection)
    {
        // Off the accept loop at once: the connection's first read must not delay the next accept.
        await Task.Yield();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Forget(connection);
        }
    }

    private void Forget(ServedConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        _admission.Leave(connection.PeerAddress);
        _talkers.Add(connection.PeerAddress, connection.BytesIn, connection.BytesOut);
    }

    /// <summary>
    /// What the server has done so far and is doing now, for <c>/stats</c>, SIGUSR1, <c>--stats-interval</c>
    /// and the summary: the <paramref name="top"/> addresses by bytes (closed connections and live
    /// ones), and the reply times of every transport. Any thread.
    /// </summary>
    public TcpServerStats Stats(int top = 5)
    {
        var replies = new LatencyHistogram();
        Counters.AddReplyTimes(replies);
        foreach (var loop in _loops ?? [])
        {
            replies.Add(loop.ReplyTimes);
        }

        var live = new List<(System.Net.IPAddress, long, long)>();
        foreach (var connection in _connections.Values)
        {
            live.Add((connection.PeerAddress, connection.BytesIn, connection.BytesOut));
        }

        return new TcpServerStats(_admission.Live, _admission.Peak, Counters, _talkers.Top(top, live), replies);
    }

    private async Task DrainAsync()
    {
        var live = _connections.Values.ToArray();
        if (live.Length == 0)
        {
            return;
        }

        Log.Draining(_logger, live.Length, new LoggedDuration(_options.ShutdownTimeout));
        var all = Task.WhenAll(Array.ConvertAll(live, c => c.Completion));
        try
        {
            await all.WaitAsync(_options.ShutdownTimeout ?? Timeout.InfiniteTimeSpan, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var connection in _connections.Values)
            {
                connection.Abort("server stopping");
            }

            await all.ConfigureAwait(false);
        }
    }
}
