using Netkit.Core.Protocols;

namespace Netkit.Core.Udp;

/// <summary>How a <see cref="UdpTimeServer"/> answers.</summary>
public sealed record UdpTimeServerOptions
{
    /// <summary>The epoch of the seconds sent (default <see cref="TimeEpoch.Unix"/>, the tutorial's).</summary>
    public TimeEpoch Epoch { get; init; } = TimeEpoch.Unix;

    /// <summary>Receive loops sharing the socket (default 1). A <see cref="System.Net.Sockets.Socket"/> caches one
    /// receive and one send operation, so a second loop on the same socket allocates per datagram.</summary>
    public int ReceiveLoops { get; init; } = 1;
}
