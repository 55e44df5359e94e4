using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// A concurrent TCP server over an already bound, listening socket: every client is served at once,
/// each by its own <see cref="TcpConnection"/>. It runs until the token fires (or, with
/// <see cref="TcpServerOptions.Once"/>, until its one client leaves), then stops accepting, lets the
/// live connections finish within <see cref="TcpServerOptions.ShutdownTimeout"/> and resets the rest.
/// </summary>
public sealed class TcpServer
{
    private readonly Socket _listener;
    private readonly TcpServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<int, TcpConnection> _connections = new();
    private readonly Channel<int> _chunks = Channel.CreateBounded<int>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private int _nextId;
    private volatile bool _wordsEnded;

    /// <summary>Creates a server; it owns <paramref name="listener"/> and closes it when it stops accepting.</summary>
    public TcpServer(Socket listener, TcpServerOptions options, ILogger logger, TimeProvider? time = null)
    {
        _listener = listener;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        LocalEndPoint = listener.LocalEndPoint ?? new IPEndPoint(IPAddress.Any, 0);
    }

    /// <summary>What the server did so far.</summary>
    public ServerCounters Counters { get; } = new();

    /// <summary>The address the server listens on (the real port when bound to port 0).</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Ids of connections whose chunk was just answered (with <see cref="TcpServerOptions.OperatorWords"/>):
    /// an operator answers them with <see cref="SendWordAsync"/>. Holds the latest 1,024 at most.</summary>
    public ChannelReader<int> Chunks => _chunks.Reader;

    /// <summary>The live connections.</summary>
    public IReadOnlyList<TcpConnectionInfo> Snapshot()
        => _connections.Values.Select(c => c.Snapshot()).OrderBy(c => c.Id).ToArray();

    /// <summary>Sends an operator's word to connection <paramref name="id"/>; false when it is gone.</summary>
    public Task<bool> SendWordAsync(int id, ReadOnlyMemory<byte> word)
        => _connections.TryGetValue(id, out var connection) ? connection.SendWordAsync(word) : Task.FromResult(false);

    /// <summary>Sends a word to every live connection; returns how many got it.</summary>
    public async Task<int> SendWordToAllAsync(ReadOnlyMemory<byte> word)
    {
        var sent = await Task.WhenAll(_connections.Values.Select(c => c.SendWordAsync(word))).ConfigureAwait(false);
        return sent.Count(ok => ok);
    }

    /// <summary>
    /// The operator's input has ended: no more words will come. Connections that half-closed while
    /// owed a word stop waiting for it and close (with <see cref="TcpServerOptions.OperatorWords"/>).
    /// </summary>
    public void EndWords()
    {
        _wordsEnded = true;
        foreach (var connection in _connections.Values)
        {
            connection.ReleaseOwedWords();
        }
    }

    /// <summary>Closes connection <paramref name="id"/> at once; false when it is gone.</summary>
    public bool Kick(int id)
    {
        if (!_connections.TryGetValue(id, out var connection))
        {
            return false;
        }

        connection.Abort("kicked by the operator");
        return true;
    }

    /// <summary>Accepts and serves until <paramref name="stop"/> fires, then drains; never throws for a client's fault.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var sweepStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sweep = _options.IdleTimeout is { } idle ? SweepIdleAsync(idle, sweepStop.Token) : Task.CompletedTask;
        try
        {
            await AcceptAsync(stop).ConfigureAwait(false);
        }
        finally
        {
            _listener.Dispose();
            _chunks.Writer.TryComplete();
        }

        await DrainAsync().ConfigureAwait(false);
        await sweepStop.CancelAsync().ConfigureAwait(false);
        await sweep.ConfigureAwait(false);
    }

    private async Task AcceptAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
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

            if (_connections.Count >= _options.MaxConnections)
            {
                Counters.AddRejected();
                Log.Rejected(_logger, EndpointText.Format(client.RemoteEndPoint), $"--max-connections {_options.MaxConnections} reached");
                client.Dispose();
                continue;
            }

            var connection = new TcpConnection(Interlocked.Increment(ref _nextId), client, _options, Counters, _logger, _time);
            Counters.AddAccepted();
            Log.Accepted(_logger, connection.Id, connection.RemoteText);
            _connections[connection.Id] = connection;
            connection.Completion = ServeAsync(connection);
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

    private async Task ServeAsync(TcpConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(_options.OperatorWords ? _chunks.Writer : null, () => _wordsEnded).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
        }
    }

    private async Task DrainAsync()
    {
        var live = _connections.Values.ToArray();
        if (live.Length == 0)
        {
            return;
        }

        Log.Draining(_logger, _options.ShutdownTimeout, live.Length);
        var all = Task.WhenAll(live.Select(c => c.Completion));
        try
        {
            await all.WaitAsync(_options.ShutdownTimeout, _time).ConfigureAwait(false);
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

    private async Task SweepIdleAsync(TimeSpan idle, CancellationToken stop)
    {
        // One timer for all connections: a sweep every quarter of the timeout is cheap and closes an
        // idle connection at most 25% late.
        var period = TimeSpan.FromTicks(Math.Max(idle.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
        try
        {
            while (true)
            {
                await Task.Delay(period, _time, stop).ConfigureAwait(false);
                foreach (var connection in _connections.Values)
                {
                    if (connection.IdleFor >= idle)
                    {
                        connection.Abort($"idle for {idle.TotalSeconds:0.###}s (--idle-timeout)");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
