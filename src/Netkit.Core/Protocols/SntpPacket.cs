using System.Buffers.Binary;

namespace Netkit.Core.Protocols;

/// <summary>
/// The 48-byte NTP header that SNTP (RFC 4330; RFC 5905 section 7.3) exchanges: leap indicator,
/// version and mode in the first byte, then stratum, poll, precision, root delay and dispersion,
/// reference id and four timestamps. Extension fields and a MAC after the 48 bytes are ignored.
/// Reading never throws: anything shorter than 48 bytes is not a packet.
/// </summary>
public readonly struct SntpPacket
{
    /// <summary>Length of the header in bytes.</summary>
    public const int Length = 48;

    /// <summary>Mode 3: a client's request.</summary>
    public const int ClientMode = 3;

    /// <summary>Mode 4: a server's reply.</summary>
    public const int ServerMode = 4;

    /// <summary>Leap indicator 3: the clock is not synchronised.</summary>
    public const int Unsynchronized = 3;

    /// <summary>0 no warning, 1 or 2 a leap second at the end of the day, 3 not synchronised.</summary>
    public int Leap { get; init; }

    /// <summary>NTP version, 1-4.</summary>
    public int Version { get; init; }

    /// <summary>3 client, 4 server, 5 broadcast; others are not SNTP's.</summary>
    public int Mode { get; init; }

    /// <summary>0 a Kiss-o'-Death, 1 a primary server (a reference clock), 2-15 hops from one, 16 unsynchronised.</summary>
    public int Stratum { get; init; }

    /// <summary>The poll interval, log2 seconds.</summary>
    public sbyte Poll { get; init; }

    /// <summary>The clock's precision, log2 seconds (-20 is about a microsecond).</summary>
    public sbyte Precision { get; init; }

    /// <summary>Round trip to the reference clock, 16.16 seconds.</summary>
    public uint RootDelay { get; init; }

    /// <summary>Error bound to the reference clock, 16.16 seconds.</summary>
    public uint RootDispersion { get; init; }

    /// <summary>The reference: four ASCII characters at stratum 0-1 (a Kiss-o'-Death code, a clock's name), an IPv4 address (or hash) above.</summary>
    public uint ReferenceId { get; init; }

    /// <summary>When the server's clock was last set.</summary>
    public ulong ReferenceTime { get; init; }

    /// <summary>In a reply: the request's transmit timestamp, copied back (T1).</summary>
    public ulong OriginTime { get; init; }

    /// <summary>In a reply: when the request arrived (T2).</summary>
    public ulong ReceiveTime { get; init; }

    /// <summary>When the packet left (T3 in a reply; in a request, whatever the client chose).</summary>
    public ulong TransmitTime { get; init; }

    /// <summary>Whether this is a Kiss-o'-Death: a reply at stratum 0, its code in <see cref="ReferenceId"/>.</summary>
    public bool IsKissOfDeath => Stratum == 0 && Mode == ServerMode;

    /// <summary>The reference id as four characters when they are printable ASCII (a code or clock name), else null.</summary>
    public string? ReferenceCode => Code(ReferenceId);

    /// <summary>Reads a packet; false when <paramref name="data"/> is shorter than <see cref="Length"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out SntpPacket packet)
    {
        if (data.Length < Length)
        {
            packet = default;
            return false;
        }

        packet = new SntpPacket
        {
            Leap = data[0] >> 6,
            Version = (data[0] >> 3) & 7,
            Mode = data[0] & 7,
            Stratum = data[1],
            Poll = (sbyte)data[2],
            Precision = (sbyte)data[3],
            RootDelay = BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            RootDispersion = BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            ReferenceId = BinaryPrimitives.ReadUInt32BigEndian(data[12..]),
            ReferenceTime = BinaryPrimitives.ReadUInt64BigEndian(data[16..]),
            OriginTime = BinaryPrimitives.ReadUInt64BigEndian(data[24..]),
            ReceiveTime = BinaryPrimitives.ReadUInt64BigEndian(data[32..]),
            TransmitTime = BinaryPrimitives.ReadUInt64BigEndian(data[40..]),
        };
        return true;
    }

    /// <summary>Whether <paramref name="data"/> is a request an SNTP server answers: 48 bytes or more, mode 3, version 1-4.</summary>
    public static bool IsRequest(ReadOnlySpan<byte> data)
        => data.Length >= Length && (data[0] & 7) == ClientMode && ((data[0] >> 3) & 7) is >= 1 and <= 4;

    /// <summary>Writes the 48 bytes into <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        destination[0] = (byte)(((Leap & 3) << 6) | ((Version & 7) << 3) | (Mode & 7));
        destination[1] = (byte)Stratum;
        destination[2] = (byte)Poll;
        destination[3] = (byte)Precision;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], RootDelay);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], RootDispersion);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], ReferenceId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], ReferenceTime);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], OriginTime);
        BinaryPrimitives.WriteUInt64BigEndian(destination[32..], ReceiveTime);
        BinaryPrimitives.WriteUInt64BigEndian(destination[40..], TransmitTime);
    }

    /// <summary>The reference id of four ASCII characters (a Kiss-o'-Death code, <c>LOCL</c>), padded with NULs.</summary>
    public static uint CodeId(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        uint id = 0;
        for (var i = 0; i < 4; i++)
        {
            id = (id << 8) | (i < code.Length ? (byte)code[i] : 0u);
        }

        return id;
    }

    /// <summary>Four printable ASCII characters (trailing NULs dropped), or null when the id is not text.</summary>
    public static string? Code(uint id)
    {
        Span<char> text = stackalloc char[4];
        var length = 0;
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((id >> (24 - (8 * i))) & 0xFF);
            if (c == 0)
            {
                break;
            }

            if (c is < ' ' or > '~')
            {
                return null;
            }

            text[length++] = c;
        }

        for (var i = length; i < 4; i++)
        {
            if (((id >> (24 - (8 * i))) & 0xFF) != 0)
            {
                return null;
            }
        }

        return length == 0 ? null : new string(text[..length]);
    }
}
