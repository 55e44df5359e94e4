namespace Netkit.Core.Protocols;

/// <summary>Where the 32-bit seconds count of a time datagram starts.</summary>
public enum TimeEpoch
{
    /// <summary>Seconds since 1970-01-01T00:00:00Z, the tutorial's <c>int(time.time())</c>; wraps in 2106.</summary>
    Unix,
    /// <summary>RFC 868 Time Protocol: seconds since 1900-01-01T00:00:00Z; wraps in 2036. What rdate speaks.</summary>
    Rfc868,
}
