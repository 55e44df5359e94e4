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
    private readonly Dictionary<IPAddress, int> _perAddress = new();
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

    /// <summary>Resets every live connection at once (a forced stop: the drain is cut short).</summary>
    public void Abort()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Abort("server stopping");
        }
    }

    /// <summary>Accepts and serves until <paramref name="stop"/> fires, then drains; never throws for a client's fault.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var sweepStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sweep = SweepPeriod() is { } period ? SweepAsync(period, sweepStop.Token) : Task.CompletedTask;
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
            if (Refuse(peer) is { } refusal)
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
                continue;
            }

            var connection = new TcpConnection(Interlocked.Increment(ref _nextId), client, peer, _options, Counters, _logger, _time);
            Track(peer, +1);
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
            Track(connection.PeerAddress, -1);
        }
    }

    private (DropReason Reason, string Why)? Refuse(IPAddress peer)
    {
        if (!_options.Access.IsOpen && _options.Access.Decide(peer) is { Allowed: false } decision)
        {
            return (DropReason.Acl, "access list: " + decision.Reason);
        }

        if (_connections.Count >= _options.MaxConnections)
        {
            return (DropReason.MaxConnections, $"--max-connections {_options.MaxConnections} reached");
        }

        if (_options.MaxPerIp is { } perIp)
        {
            lock (_perAddress)
            {
                if (_perAddress.TryGetValue(peer, out var count) && count >= perIp)
                {
                    return (DropReason.MaxPerIp, $"--max-per-ip {perIp} reached for {peer}");
                }
            }
        }

        return null;
    }

    private void Track(IPAddress peer, int delta)
    {
        if (_options.MaxPerIp is null)
        {
            return;
        }

        lock (_perAddress)
        {
            var count = _perAddress.GetValueOrDefault(peer) + delta;
            if (count > 0)
            {
                _perAddress[peer] = count;
            }
            else
            {
                _perAddress.Remove(peer);
            }
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

    private async Task SweepAsync(TimeSpan period, CancellationToken stop)
    {
        // One timer for all connections: a sweep every quarter of the shortest timeout is cheap and
        // closes a connection at most 25% late.
        try
        {
            while (true)
            {
                await Task.Delay(period, _time, stop).ConfigureAwait(false);
                foreach (var connection in _connections.Values)
                {
                    if (Expired(connection) is { } expired && connection.Abort(expired.Why))
                    {
                        Counters.AddDrop(expired.Reason);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private (DropReason Reason, string Why)? Expired(TcpConnection connection)
    {
        var o = _options;
        if (o.FirstByteTimeout is { } first && !connection.Spoke && connection.Age >= first)
        {
            return (DropReason.FirstByte, $"sent nothing for {Seconds(first)} (--first-byte-timeout)");
        }

        if (o.IdleTimeout is { } idle && connection.IdleFor >= idle)
        {
            return (DropReason.Idle, $"idle for {Seconds(idle)} (--idle-timeout)");
        }

        if (o.SendTimeout is { } send && send > TimeSpan.Zero && connection.SendingFor >= send)
        {
            return (DropReason.SlowReader, $"did not read its replies for {Seconds(send)} (--send-timeout)");
        }

        if (o.MaxSession is { } session && connection.Age >= session)
        {
            return (DropReason.MaxSession, $"connected for {Seconds(session)} (--max-session)");
        }

        return null;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s";

    private TimeSpan? SweepPeriod()
    {
        var timeouts = new[] { _options.IdleTimeout, _options.FirstByteTimeout, _options.MaxSession, _options.SendTimeout }
            .Where(t => t is { } v && v > TimeSpan.Zero).Select(t => t!.Value).ToArray();
        if (timeouts.Length == 0)
        {
            return null;
        }

        var quarter = timeouts.Min() / 4;
        return quarter < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : quarter > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : quarter;
    }
}
