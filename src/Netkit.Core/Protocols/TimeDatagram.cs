using System.Buffers.Binary;

namespace Netkit.Core.Protocols;

/// <summary>
/// The 4-byte time datagram: an unsigned, big-endian count of seconds since an epoch. A 32-bit count
/// wraps every 2^32 s (about 136 years), so a reader picks the era that puts the value nearest to a
/// reference time (its own clock); that makes the 2036 and 2106 wraps invisible to users.
/// </summary>
public static class TimeDatagram
{
    /// <summary>Length of the datagram in bytes.</summary>
    public const int Length = 4;

    /// <summary>Seconds from 1900-01-01 to 1970-01-01 (RFC 868).</summary>
    public const long Rfc868ToUnixSeconds = 2_208_988_800;

    private const long Era = 1L << 32;

    /// <summary>The 32-bit value a server sends for <paramref name="time"/> (seconds truncated, modulo 2^32).</summary>
    public static uint Encode(DateTimeOffset time, TimeEpoch epoch)
    {
        var seconds = FloorSeconds(time) - EpochStart(epoch);
        return (uint)(seconds & (Era - 1));
    }

    /// <summary>Writes the datagram for <paramref name="time"/> into the first 4 bytes of <paramref name="destination"/>.</summary>
    public static void Write(DateTimeOffset time, TimeEpoch epoch, Span<byte> destination)
        => BinaryPrimitives.WriteUInt32BigEndian(destination, Encode(time, epoch));

    /// <summary>Reads the big-endian value of a 4-byte datagram.</summary>
    public static uint Read(ReadOnlySpan<byte> datagram) => BinaryPrimitives.ReadUInt32BigEndian(datagram);

    /// <summary>The instant <paramref name="value"/> stands for, in the era nearest to <paramref name="reference"/>.</summary>
    public static DateTimeOffset Decode(uint value, TimeEpoch epoch, DateTimeOffset reference)
    {
        var first = EpochStart(epoch) + value;
        var eras = Math.Round((double)(reference.ToUnixTimeSeconds() - first) / Era, MidpointRounding.AwayFromZero);
        var seconds = first + ((long)eras * Era);
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    /// <summary>
    /// The instant <paramref name="value"/> stands for when the user named the epoch (<c>--epoch</c>):
    /// the era nearest to <paramref name="reference"/>, but never one before the epoch itself, as
    /// Python's <c>time.ctime</c> reads a Unix count (4005100748 is 2096, not 1960). From 2106 on, a Unix
    /// count has wrapped and the nearest era is the next one; an RFC 868 count likewise from 2036.
    /// </summary>
    public static DateTimeOffset DecodeFrom(uint value, TimeEpoch epoch, DateTimeOffset reference)
    {
        var nearest = Decode(value, epoch, reference);
        var first = DateTimeOffset.FromUnixTimeSeconds(EpochStart(epoch) + value);
        return nearest < first ? first : nearest;
    }

    /// <summary>
    /// Reads <paramref name="value"/> as both epochs and keeps the reading nearest to
    /// <paramref name="reference"/>: the two readings are 70 years apart, so a server of either
    /// kind is recognised as long as its clock is within 35 years of ours.
    /// </summary>
    public static (DateTimeOffset Time, TimeEpoch Epoch) DecodeNearest(uint value, DateTimeOffset reference)
    {
        var unix = Decode(value, TimeEpoch.Unix, reference);
        var rfc868 = Decode(value, TimeEpoch.Rfc868, reference);
        return (unix - reference).Duration() <= (rfc868 - reference).Duration()
            ? (unix, TimeEpoch.Unix)
            : (rfc868, TimeEpoch.Rfc868);
    }

    private static long EpochStart(TimeEpoch epoch) => epoch switch
    {
        TimeEpoch.Unix => 0,
        TimeEpoch.Rfc868 => -Rfc868ToUnixSeconds,
        _ => throw new ArgumentOutOfRangeException(nameof(epoch)),
    };

    private static long FloorSeconds(DateTimeOffset time) => time.ToUnixTimeSeconds();
}
