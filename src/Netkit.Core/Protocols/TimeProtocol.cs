namespace Netkit.Core.Protocols;

/// <summary>What a time server answers and a time client asks.</summary>
public enum TimeProtocol
{
    /// <summary>The 4-byte seconds count (the tutorial's; RFC 868 with <see cref="TimeEpoch.Rfc868"/>), over UDP or TCP.</summary>
    Time,
    /// <summary>SNTP (RFC 4330): 48-byte NTP packets with sub-second timestamps, over UDP.</summary>
    Sntp,
}
