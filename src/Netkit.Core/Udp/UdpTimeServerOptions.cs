using Netkit.Core.Protocols;

namespace Netkit.Core.Udp;

/// <summary>How a <see cref="UdpTimeServer"/> answers.</summary>
public sealed record UdpTimeServerOptions
{
    /// <summary>The epoch of the seconds sent (default <see cref="TimeEpoch.Unix"/>, the tutorial's).</summary>
    public TimeEpoch Epoch { get; init; } = TimeEpoch.Unix;

    /// <summary>Receive loops sharing the socket (default: one per processor), so both cores answer.</summary>
    public int ReceiveLoops { get; init; } = Environment.ProcessorCount;
}
