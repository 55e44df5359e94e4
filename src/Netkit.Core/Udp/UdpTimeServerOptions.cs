using Netkit.Core.Protocols;

namespace Netkit.Core.Udp;

/// <summary>How a <see cref="UdpTimeServer"/> answers.</summary>
public sealed record UdpTimeServerOptions
{
    /// <summary>The epoch of the seconds sent (default <see cref="TimeEpoch.Unix"/>, the tutorial's).</summary>
    public TimeEpoch Epoch { get; init; } = TimeEpoch.Unix;

    /// <summary>The 4-byte count (default) or SNTP.</summary>
    public TimeProtocol Protocol { get; init; } = TimeProtocol.Time;

    /// <summary>What SNTP replies say of the clock (stratum, reference id, leap).</summary>
    public SntpServerSettings Sntp { get; init; } = new();

    /// <summary>With SNTP and a <see cref="RateLimit"/>: answer a source over its limit with a Kiss-o'-Death
    /// RATE (itself at most one a second per source) instead of silence, as chrony's <c>ratelimit</c> does (default on).</summary>
    public bool KissOfDeath { get; init; } = true;

    /// <summary>Receive loops (threads) sharing the socket (default: half the processors, at least one).
    /// Loops on one socket contend for its receive queue: on 2 cores with the clients on the same
    /// machine, one batching loop answered 226k-295k requests/s and two only 138k-145k.</summary>
    public int ReceiveLoops { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>On Linux, take up to 64 requests per recvmmsg and answer them with one sendmmsg (default on).</summary>
    public bool Batching { get; init; } = true;

    /// <summary>Sees every datagram in and out (<c>--hexdump</c>, <c>--transcript</c>); with one, requests are taken one at a time, not in batches.</summary>
    public Diagnostics.IDataTap? Tap { get; init; }

    /// <summary>Who may ask (default: everyone).</summary>
    public Policy.AccessList Access { get; init; } = Policy.AccessList.Open;

    /// <summary>Replies per second allowed per source address (<c>--rate-limit</c>); null (default) is unlimited.</summary>
    public double? RateLimit { get; init; }

    /// <summary>Requests a source may send at once before <see cref="RateLimit"/> applies (default: one second's worth).</summary>
    public double? RateBurst { get; init; }

    /// <summary>Answer datagrams from source ports below 1024. Off by default: those are services
    /// (echo, chargen, another time server) and answering them lets an attacker bounce traffic
    /// between two servers forever with one spoofed datagram.</summary>
    public bool AllowPrivilegedPorts { get; init; }
}
