using System.Net;
using Netkit.Core.Protocols;

namespace Netkit.Core.Udp;

/// <summary>
/// One SNTP exchange, from its four timestamps (RFC 4330 section 5): T1 our request left, T2 the
/// server received it, T3 the server replied, T4 the reply arrived. offset = ((T2 - T1) + (T3 - T4)) / 2,
/// delay = (T4 - T1) - (T3 - T2). The differences are taken on the 64-bit timestamps, so a reply across
/// the 2036 wrap is measured as correctly as any other.
/// </summary>
/// <param name="Reply">The server's packet.</param>
/// <param name="ServerTime">T3, read in the era nearest to our clock.</param>
/// <param name="Offset">Server clock minus ours (positive: the server is ahead).</param>
/// <param name="Delay">The round trip less the server's own processing time (never below 0).</param>
public sealed class SntpSample(SntpPacket Reply, DateTimeOffset ServerTime, TimeSpan Offset, TimeSpan Delay)
{
    /// <summary>The server's packet.</summary>
    public SntpPacket Reply { get; } = Reply;

    /// <summary>T3, read in the era nearest to our clock.</summary>
    public DateTimeOffset ServerTime { get; } = ServerTime;

    /// <summary>Server clock minus ours (positive: the server is ahead).</summary>
    public TimeSpan Offset { get; } = Offset;

    /// <summary>The round trip less the server's own processing time (never below 0).</summary>
    public TimeSpan Delay { get; } = Delay;

    /// <summary>Works out a sample from the reply and our send and arrival times.</summary>
    public static SntpSample From(SntpPacket reply, DateTimeOffset sent, DateTimeOffset arrived)
    {
        var t1 = NtpTimestamp.Encode(sent);
        var t4 = NtpTimestamp.Encode(arrived);
        var offset = (NtpTimestamp.Difference(reply.ReceiveTime, t1) + NtpTimestamp.Difference(reply.TransmitTime, t4)) / 2;
        var delay = NtpTimestamp.Difference(t4, t1) - NtpTimestamp.Difference(reply.TransmitTime, reply.ReceiveTime);
        return new SntpSample(reply, NtpTimestamp.Decode(reply.TransmitTime, arrived), offset, delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
    }

    /// <summary>The reference id as people write it: a code at stratum 0-1 (<c>GPS</c>, <c>LOCL</c>), an IPv4 address above (or its hex, an IPv6 hash).</summary>
    public string ReferenceText => Reply.Stratum <= 1 || Reply.ReferenceCode is "LOCL" ? Reply.ReferenceCode ?? $"0x{Reply.ReferenceId:X8}"
        : new IPAddress([(byte)(Reply.ReferenceId >> 24), (byte)(Reply.ReferenceId >> 16), (byte)(Reply.ReferenceId >> 8), (byte)Reply.ReferenceId]).ToString();
}
