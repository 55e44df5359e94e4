namespace Netkit.Core.Tcp;

/// <summary>How a <see cref="TcpServer"/> behaves. Defaults follow the tutorial.</summary>
public sealed record TcpServerOptions
{
    /// <summary>Seed (default) or echo.</summary>
    public TcpServerMode Mode { get; init; } = TcpServerMode.Seed;

    /// <summary>The ack bytes sent after each chunk in seed mode (default <c>"\nI get it!\n"</c>); empty sends none.</summary>
    public ReadOnlyMemory<byte> AckFrame { get; init; } = Protocols.SeedReply.FrameAck(Protocols.SeedReply.DefaultAck);

    /// <summary>A word sent automatically after each ack (<c>--reply</c>); null leaves words to the operator.</summary>
    public ReadOnlyMemory<byte>? AutoReply { get; init; }

    /// <summary>In seed mode, wait after each chunk's data and ack for the operator's word
    /// (<see cref="TcpServer.Words"/>) before reading the next chunk; off (default), only
    /// <see cref="AutoReply"/> follows the ack.</summary>
    public bool OperatorWords { get; init; }

    /// <summary>Sees every byte in and out (<c>--hexdump</c>, <c>--transcript</c>); null (default) costs nothing.</summary>
    public Diagnostics.IDataTap? Tap { get; init; }

    /// <summary>Serve one client, then stop.</summary>
    public bool Once { get; init; }

    /// <summary>Connections served at once; more are closed at once and counted (default 10,000).</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Close a connection with no traffic for this long; null (default) never does.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Connections served at once from one address; null (default) is no limit.</summary>
    public int? MaxPerIp { get; init; }

    /// <summary>Close a connection that sends nothing this long after connecting (slowloris); null (default) never does.</summary>
    public TimeSpan? FirstByteTimeout { get; init; }

    /// <summary>Close a connection this long after it was accepted, busy or not; null (default) never does.</summary>
    public TimeSpan? MaxSession { get; init; }

    /// <summary>Close a connection whose peer has not taken a reply for this long (default 30 s): its
    /// reads are paused meanwhile (backpressure), so the server holds one reply per connection at most.
    /// Null never does.</summary>
    public TimeSpan? SendTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Who may connect (default: everyone); checked before any byte is read.</summary>
    public Policy.AccessList Access { get; init; } = Policy.AccessList.Open;

    /// <summary>How long a stopping server lets connections finish before resetting them (default 5 s;
    /// null: no limit, until they finish or the stop is forced).</summary>
    public TimeSpan? ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many epoll event loops serve the connections (Linux; see <see cref="EventLoop"/>);
    /// 0 (default), or a platform without epoll: the runtime's async sockets, a task per connection.</summary>
    public int EventLoops { get; init; }

    /// <summary>With more than one loop: every loop accepts on the listener (EPOLLEXCLUSIVE) and serves
    /// what it accepted (default: no loop is every connection's way in, and no connection is handed
    /// across threads), or (false) the first loop accepts for all and hands the connections out in
    /// turn. On 2 cores the two measured the same within the noise (bench/README.md).</summary>
    public bool AcceptOnEveryLoop { get; init; } = true;

    /// <summary>The read size: the tutorial's <c>recv(4096)</c> in seed mode; larger reads for echo.</summary>
    public int ReceiveSize => Mode == TcpServerMode.Seed ? 4096 : 64 * 1024;
}
