using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>How a time client asks.</summary>
public sealed record TimeQuery
{
    /// <summary>The first wait for a reply (default 2 s); each retry waits 1.5 times longer than the one
    /// before. <see cref="TimeSpan.Zero"/> waits for ever.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Requests sent again after the first goes unanswered (default 3).</summary>
    public int Retries { get; init; } = 3;

    /// <summary>The 4-byte count (default) or SNTP.</summary>
    public Protocols.TimeProtocol Protocol { get; init; }

    /// <summary>Socket options for the client socket.</summary>
    public SocketSettings Settings { get; init; } = new();

    /// <summary>The wait of attempt <paramref name="attempt"/> (0 is the first).</summary>
    public TimeSpan WaitFor(int attempt) => Timeout == TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : Timeout * Math.Pow(1.5, attempt);
}
