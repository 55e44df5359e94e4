using System.Buffers.Binary;
using Netkit.Core.Protocols;

namespace Netkit.Core.Udp;

/// <summary>
/// Composes a time server's reply in place: the 4-byte count (any request, an empty one too) or an
/// SNTP reply to a mode-3 request (anything else gets none). Allocates nothing; any thread.
/// </summary>
internal sealed class TimeAnswer(UdpTimeServerOptions options)
{
    private static readonly uint RateCode = SntpPacket.CodeId("RATE");
    private readonly SntpServerSettings _sntp = options.Sntp;
    private readonly uint _rootDispersion = NtpTimestamp.ToShort(options.Sntp.RootDispersion);

    /// <summary>The longest reply.</summary>
    public const int MaxLength = SntpPacket.Length;

    /// <summary>Whether replies are SNTP's.</summary>
    public bool Sntp { get; } = options.Protocol == TimeProtocol.Sntp;

    /// <summary>The length of a reply.</summary>
    public int ReplyLength => Sntp ? SntpPacket.Length : TimeDatagram.Length;

    /// <summary>Writes the reply to <paramref name="request"/>, received at <paramref name="received"/>,
    /// sent at <paramref name="now"/>; returns its length, 0 when the request is not one this protocol answers.</summary>
    public int Write(ReadOnlySpan<byte> request, Span<byte> reply, DateTimeOffset received, DateTimeOffset now)
    {
        if (!Sntp)
        {
            BinaryPrimitives.WriteUInt32BigEndian(reply, TimeDatagram.Encode(now, options.Epoch));
            return TimeDatagram.Length;
        }

        if (!SntpPacket.IsRequest(request))
        {
            return 0;
        }

        var transmit = NtpTimestamp.Encode(now);
        new SntpPacket
        {
            Leap = _sntp.Unsynchronized ? SntpPacket.Unsynchronized : 0,
            Version = (request[0] >> 3) & 7,
            Mode = SntpPacket.ServerMode,
            Stratum = _sntp.Unsynchronized ? 16 : _sntp.Stratum,
            Poll = (sbyte)Math.Clamp((int)(sbyte)request[2], 4, 17),
            Precision = _sntp.Precision,
            RootDispersion = _rootDispersion,
            ReferenceId = _sntp.ReferenceId,
            // The clock was "last set" at most a second ago: netkit serves the host clock as it is.
            ReferenceTime = transmit & 0xFFFF_FFFF_0000_0000,
            OriginTime = BinaryPrimitives.ReadUInt64BigEndian(request[40..]),
            ReceiveTime = NtpTimestamp.Encode(received),
            TransmitTime = transmit,
        }.Write(reply);
        return SntpPacket.Length;
    }

    /// <summary>An SNTP Kiss-o'-Death RATE for a rate-limited request (stratum 0, leap 3, origin copied
    /// so the client can match it, no time); 0 for the 4-byte protocol or a request that is not SNTP.</summary>
    public int WriteRateKiss(ReadOnlySpan<byte> request, Span<byte> reply)
    {
        if (!Sntp || !SntpPacket.IsRequest(request))
        {
            return 0;
        }

        new SntpPacket
        {
            Leap = SntpPacket.Unsynchronized,
            Version = (request[0] >> 3) & 7,
            Mode = SntpPacket.ServerMode,
            Stratum = 0,
            Poll = (sbyte)Math.Clamp((int)(sbyte)request[2], 4, 17),
            Precision = _sntp.Precision,
            ReferenceId = RateCode,
            OriginTime = BinaryPrimitives.ReadUInt64BigEndian(request[40..]),
        }.Write(reply);
        return SntpPacket.Length;
    }
}
