using Netkit.Core.Protocols;

namespace Netkit.Tests.Protocols;

public sealed class TimeDatagramTests
{
    private static readonly DateTimeOffset Unix2036Wrap = DateTimeOffset.Parse("2036-02-07T06:28:16Z");
    private static readonly DateTimeOffset Unix2106Wrap = DateTimeOffset.Parse("2106-02-07T06:28:16Z");

    [Fact]
    public void Unix_epoch_matches_python_struct_pack()
    {
        // struct.pack("!I", 1344273557) for Mon Aug  6 17:19:17 2012 UTC
        var buffer = new byte[4];
        TimeDatagram.Write(DateTimeOffset.FromUnixTimeSeconds(1_344_273_557), TimeEpoch.Unix, buffer);
        Assert.Equal(new byte[] { 0x50, 0x1F, 0xFC, 0x95 }, buffer);
    }

    [Fact]
    public void Rfc868_epoch_counts_from_1900()
    {
        var buffer = new byte[4];
        TimeDatagram.Write(DateTimeOffset.FromUnixTimeSeconds(0), TimeEpoch.Rfc868, buffer);
        // 2,208,988,800 = 0x83AA7E80
        Assert.Equal(new byte[] { 0x83, 0xAA, 0x7E, 0x80 }, buffer);
    }

    [Fact]
    public void Encoding_truncates_fractions_of_a_second()
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(1000).AddMilliseconds(999);
        Assert.Equal(1000u, TimeDatagram.Encode(t, TimeEpoch.Unix));
    }

    [Theory]
    [InlineData("2036-02-07T06:28:15Z", 0xFFFFFFFFu)]
    [InlineData("2036-02-07T06:28:16Z", 0x00000000u)]
    [InlineData("2036-02-07T06:28:17Z", 0x00000001u)]
    public void Rfc868_wraps_in_2036_and_the_reader_keeps_the_right_era(string when, uint expected)
    {
        var time = DateTimeOffset.Parse(when);
        var value = TimeDatagram.Encode(time, TimeEpoch.Rfc868);
        Assert.Equal(expected, value);
        Assert.Equal(time, TimeDatagram.Decode(value, TimeEpoch.Rfc868, time));
        Assert.Equal(time, TimeDatagram.Decode(value, TimeEpoch.Rfc868, Unix2036Wrap.AddDays(-3)));
        Assert.Equal(time, TimeDatagram.Decode(value, TimeEpoch.Rfc868, Unix2036Wrap.AddDays(3)));
    }

    [Theory]
    [InlineData("2106-02-07T06:28:15Z", 0xFFFFFFFFu)]
    [InlineData("2106-02-07T06:28:16Z", 0x00000000u)]
    public void Unix_wraps_in_2106_and_the_reader_keeps_the_right_era(string when, uint expected)
    {
        var time = DateTimeOffset.Parse(when);
        var value = TimeDatagram.Encode(time, TimeEpoch.Unix);
        Assert.Equal(expected, value);
        Assert.Equal(time, TimeDatagram.Decode(value, TimeEpoch.Unix, Unix2106Wrap.AddHours(-1)));
        Assert.Equal(time, TimeDatagram.Decode(value, TimeEpoch.Unix, Unix2106Wrap.AddHours(1)));
    }

    [Theory]
    [InlineData("2026-11-26T12:00:00Z")]
    [InlineData("2036-02-07T06:28:15Z")]
    [InlineData("2036-02-07T06:28:16Z")]
    [InlineData("2106-02-07T06:28:15Z")]
    [InlineData("2106-02-07T06:28:16Z")]
    [InlineData("1999-12-31T23:59:59Z")]
    public void Auto_recognises_either_epoch_near_the_local_clock(string when)
    {
        var time = DateTimeOffset.Parse(when);
        var local = time.AddSeconds(7); // a server clock slightly off
        Assert.Equal((time, TimeEpoch.Unix), TimeDatagram.DecodeNearest(TimeDatagram.Encode(time, TimeEpoch.Unix), local));
        Assert.Equal((time, TimeEpoch.Rfc868), TimeDatagram.DecodeNearest(TimeDatagram.Encode(time, TimeEpoch.Rfc868), local));
    }

    [Fact]
    public void Reading_the_other_epoch_is_decades_off()
    {
        // Read as the wrong epoch, a value lands 70 years early or (next era) 66 years late: never near.
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z");
        var asRfc868 = TimeDatagram.Decode(TimeDatagram.Encode(now, TimeEpoch.Unix), TimeEpoch.Rfc868, now);
        Assert.True((asRfc868 - now).Duration() > TimeSpan.FromDays(365 * 60));
    }

    // --epoch named by the user: the era nearest the clock, but never before the epoch (Python's reading).
    [Theory]
    [InlineData(4005100748u, "unix", "2026-12-01T00:00:00Z", "2096-11-30T07:59:08Z")] // the case: 1960 before
    [InlineData(1796083200u, "unix", "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData(4294967295u, "unix", "2106-02-07T06:00:00Z", "2106-02-07T06:28:15Z")] // the last second before the 2106 wrap
    [InlineData(0u, "unix", "2106-02-07T07:00:00Z", "2106-02-07T06:28:16Z")] // just after it: the next era
    [InlineData(100u, "unix", "2106-02-08T00:00:00Z", "2106-02-07T06:29:56Z")]
    [InlineData(0u, "unix", "1970-01-01T00:00:10Z", "1970-01-01T00:00:00Z")]
    [InlineData(4294967295u, "rfc868", "2036-02-07T06:00:00Z", "2036-02-07T06:28:15Z")] // the last second before the 2036 wrap
    [InlineData(0u, "rfc868", "2036-02-07T07:00:00Z", "2036-02-07T06:28:16Z")] // just after it
    [InlineData(3973536000u, "rfc868", "2026-12-01T00:00:00Z", "2025-12-01T00:00:00Z")]
    [InlineData(10u, "rfc868", "1900-01-01T00:00:00Z", "1900-01-01T00:00:10Z")]
    public void A_named_epoch_reads_the_nearest_era_but_never_before_the_epoch(uint value, string epoch, string clock, string expected)
    {
        var named = epoch == "unix" ? TimeEpoch.Unix : TimeEpoch.Rfc868;
        var read = TimeDatagram.DecodeFrom(value, named, DateTimeOffset.Parse(clock, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), read);
        Assert.Equal(value, TimeDatagram.Encode(read, named));
    }
}
