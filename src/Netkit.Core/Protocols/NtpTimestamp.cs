namespace Netkit.Core.Protocols;

/// <summary>
/// NTP's 64-bit timestamp (RFC 5905): 32 bits of seconds since 1900-01-01 and 32 bits of fraction.
/// The seconds wrap on 2036-02-07T06:28:16Z (era 1 begins), so a reader puts a timestamp in the era
/// nearest to a reference (its own clock), as <see cref="TimeDatagram"/> does for the 4-byte counts.
/// Differences between two timestamps (offset, delay) are taken as signed 64-bit numbers, which is
/// right across a wrap as long as the two are within 68 years of each other.
/// </summary>
public static class NtpTimestamp
{
    private const long Era = 1L << 32;
    private const double FractionPerTick = 4294967296.0 / TimeSpan.TicksPerSecond;

    /// <summary>The timestamp for <paramref name="time"/> (its era dropped), to the resolution of a tick (100 ns).</summary>
    public static ulong Encode(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        var ntpSeconds = (ulong)((seconds + TimeDatagram.Rfc868ToUnixSeconds) & (Era - 1));
        var fraction = (ulong)Math.Min(uint.MaxValue, Math.Round(rest * FractionPerTick));
        return (ntpSeconds << 32) | fraction;
    }

    /// <summary>The instant <paramref name="timestamp"/> stands for, in the era nearest to <paramref name="reference"/>.</summary>
    public static DateTimeOffset Decode(ulong timestamp, DateTimeOffset reference)
    {
        var first = (long)(timestamp >> 32) - TimeDatagram.Rfc868ToUnixSeconds;
        var eras = Math.Round((double)(reference.ToUnixTimeSeconds() - first) / Era, MidpointRounding.AwayFromZero);
        var seconds = first + ((long)eras * Era);
        var ticks = (long)Math.Round((timestamp & uint.MaxValue) / FractionPerTick);
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(ticks);
    }

    /// <summary><paramref name="later"/> minus <paramref name="earlier"/>, era-independent (both within 68 years).</summary>
    public static TimeSpan Difference(ulong later, ulong earlier)
        => TimeSpan.FromTicks((long)Math.Round(unchecked((long)(later - earlier)) / FractionPerTick));

    /// <summary>A 16.16 fixed-point number of seconds (root delay, root dispersion) as a span.</summary>
    public static TimeSpan Short(uint value) => TimeSpan.FromTicks((long)Math.Round(value * (double)TimeSpan.TicksPerSecond / 65536));

    /// <summary>A span as 16.16 fixed-point seconds, saturated at the largest value.</summary>
    public static uint ToShort(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (uint)Math.Min(uint.MaxValue, Math.Round(span.Ticks * 65536.0 / TimeSpan.TicksPerSecond));
}
