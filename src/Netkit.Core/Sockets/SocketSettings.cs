namespace Netkit.Core.Sockets;

/// <summary>
/// Socket options a user asked for. Unset values leave the operating system's default alone,
/// except <see cref="ReuseAddress"/>, which servers turn on (like the tutorial) unless told not to.
/// Applied by <see cref="SocketSettingsApplier"/> before bind or connect.
/// </summary>
public sealed record SocketSettings
{
    /// <summary>SO_REUSEADDR; null means "the role's default" (on for servers, off for clients).
    /// On Windows a server gets SO_EXCLUSIVEADDRUSE instead, since SO_REUSEADDR there lets
    /// another process steal the port.</summary>
    public bool? ReuseAddress { get; init; }

    /// <summary>SO_REUSEPORT: never implied, two servers silently sharing a port is a bug.</summary>
    public bool ReusePort { get; init; }

    /// <summary>SO_KEEPALIVE.</summary>
    public bool KeepAlive { get; init; }

    /// <summary>TCP_KEEPIDLE: idle time before the first probe (implies keepalive).</summary>
    public TimeSpan? KeepAliveIdle { get; init; }

    /// <summary>TCP_KEEPINTVL: time between probes (implies keepalive).</summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>TCP_KEEPCNT: unanswered probes before the peer is declared dead (implies keepalive).</summary>
    public int? KeepAliveCount { get; init; }

    /// <summary>TCP_NODELAY: disable Nagle's algorithm.</summary>
    public bool NoDelay { get; init; }

    /// <summary>SO_BINDTODEVICE (Linux): the interface name to bind to.</summary>
    public string? BindDevice { get; init; }

    /// <summary>SO_BROADCAST (UDP).</summary>
    public bool Broadcast { get; init; }

    /// <summary>SO_DONTROUTE: send only to directly connected hosts.</summary>
    public bool DontRoute { get; init; }

    /// <summary>SO_OOBINLINE: urgent data is read in the normal stream.</summary>
    public bool OobInline { get; init; }

    /// <summary>SO_SNDBUF in bytes (the kernel may double or clamp it).</summary>
    public int? SendBuffer { get; init; }

    /// <summary>SO_RCVBUF in bytes (the kernel may double or clamp it).</summary>
    public int? ReceiveBuffer { get; init; }

    /// <summary>SO_LINGER: how long close waits for unsent data; zero resets on close.</summary>
    public TimeSpan? Linger { get; init; }

    /// <summary>True when keepalive or any of its tunings was asked for.</summary>
    public bool WantsKeepAlive => KeepAlive || KeepAliveIdle is not null || KeepAliveInterval is not null || KeepAliveCount is not null;
}
