using System.Net;

namespace Netkit.Core.Udp;

/// <summary>One time reply, as received.</summary>
/// <param name="Server">Who answered.</param>
/// <param name="Value">The 32-bit seconds value.</param>
/// <param name="LocalTime">Our clock when the reply arrived.</param>
/// <param name="RoundTrip">From our request to the reply.</param>
public sealed record TimeReading(IPEndPoint Server, uint Value, DateTimeOffset LocalTime, TimeSpan RoundTrip)
{
    /// <summary>The SNTP exchange, when the query was SNTP's (then <see cref="Value"/> is T3's seconds).</summary>
    public SntpSample? Sntp { get; init; }
}
