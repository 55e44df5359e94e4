using System.Buffers.Binary;
using Netkit.Core.Protocols;
using Netkit.Core.Udp;

namespace Netkit.Tests.Protocols;

/// <summary>NTP timestamps across both eras, the SNTP packet codec, the server's replies and the client's arithmetic.</summary>
public sealed class SntpTests
{
    private static readonly DateTimeOffset NtpWrap = DateTimeOffset.Parse("2036-02-07T06:28:16Z");
    private static readonly DateTimeOffset UnixWrap = DateTimeOffset.Parse("2106-02-07T06:28:16Z");

    [Fact]
    public void A_timestamp_counts_seconds_from_1900_and_a_binary_fraction()
    {
        // 1970-01-01T00:00:00.5Z: 2,208,988,800 s (0x83AA7E80) and half of 2^32.
        var ts = NtpTimestamp.Encode(DateTimeOffset.UnixEpoch.AddMilliseconds(500));
        Assert.Equal(0x83AA7E80_80000000ul, ts);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMilliseconds(500), NtpTimestamp.Decode(ts, DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData("2036-02-07T06:28:15.9999999Z", 0xFFFFFFFFu)]
    [InlineData("2036-02-07T06:28:16Z", 0u)]
    [InlineData("2036-02-07T06:28:17.25Z", 1u)]
    [InlineData("2106-02-07T06:28:15Z", 0x83AA7E7Fu)]
    [InlineData("2106-02-07T06:28:17Z", 0x83AA7E81u)]
    public void A_timestamp_is_read_in_the_era_nearest_the_clock_on_both_sides_of_the_wraps(string when, uint seconds)
    {
        var time = DateTimeOffset.Parse(when);
        var ts = NtpTimestamp.Encode(time);
        Assert.Equal(seconds, (uint)(ts >> 32));
        foreach (var reference in new[] { time, time.AddDays(-3), time.AddDays(3), NtpWrap.AddHours(-1), NtpWrap.AddHours(1), UnixWrap.AddDays(-1), UnixWrap.AddDays(1) })
        {
            if ((reference - time).Duration() < TimeSpan.FromDays(365 * 60))
            {
                var read = NtpTimestamp.Decode(ts, reference);
                Assert.True((read - time).Duration() < TimeSpan.FromTicks(2), $"{ts:X16} read {read:o} near {reference:o}, expected {time:o}");
            }
        }
    }

    [Fact]
    public void Differences_are_right_across_the_2036_wrap()
    {
        var before = NtpWrap.AddMilliseconds(-300);
        var after = NtpWrap.AddMilliseconds(200);
        var difference = NtpTimestamp.Difference(NtpTimestamp.Encode(after), NtpTimestamp.Encode(before));
        Assert.InRange(difference.TotalMilliseconds, 499.999, 500.001);
        Assert.InRange(NtpTimestamp.Difference(NtpTimestamp.Encode(before), NtpTimestamp.Encode(after)).TotalMilliseconds, -500.001, -499.999);
    }

    [Fact]
    public void A_packet_reads_back_what_was_written_and_short_data_is_no_packet()
    {
        var packet = new SntpPacket
        {
            Leap = 1,
            Version = 4,
            Mode = 4,
            Stratum = 2,
            Poll = 6,
            Precision = -23,
            RootDelay = 0x00010000,
            RootDispersion = 0x8000,
            ReferenceId = 0xC0A80101,
            ReferenceTime = 1,
            OriginTime = 2,
            ReceiveTime = 3,
            TransmitTime = 4,
        };
        var bytes = new byte[SntpPacket.Length];
        packet.Write(bytes);
        Assert.Equal(0x64, bytes[0]); // 01 100 100
        Assert.True(SntpPacket.TryRead(bytes, out var read));
        Assert.Equal(packet, read);
        Assert.False(SntpPacket.TryRead(bytes.AsSpan(0, 47), out _));
        Assert.Equal(TimeSpan.FromSeconds(1), NtpTimestamp.Short(read.RootDelay));
        Assert.Equal(TimeSpan.FromSeconds(0.5), NtpTimestamp.Short(read.RootDispersion));
    }

    [Theory]
    [InlineData(0x1B, 48, true)]   // v3 client
    [InlineData(0x23, 48, true)]   // v4 client
    [InlineData(0x0B, 48, true)]   // v1 client
    [InlineData(0x23, 68, true)]   // with a MAC
    [InlineData(0x23, 47, false)]
    [InlineData(0x24, 48, false)]  // a server's reply
    [InlineData(0x03, 48, false)]  // version 0
    [InlineData(0x2B, 48, false)]  // version 5
    public void Only_a_mode_3_request_of_version_1_to_4_is_answered(byte first, int length, bool answered)
    {
        var request = new byte[length];
        request[0] = first;
        Assert.Equal(answered, SntpPacket.IsRequest(request));
    }

    [Fact]
    public void Codes_are_four_ascii_characters_and_anything_else_is_not_text()
    {
        Assert.Equal(0x52415445u, SntpPacket.CodeId("RATE"));
        Assert.Equal("RATE", SntpPacket.Code(0x52415445u));
        Assert.Equal("GPS", SntpPacket.Code(SntpPacket.CodeId("GPS")));
        Assert.Null(SntpPacket.Code(0xC0A80101));
        Assert.Null(SntpPacket.Code(0));
        Assert.Null(SntpPacket.Code(0x47005053)); // a NUL inside
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void The_server_answers_in_mode_4_echoing_the_version_with_its_clock_and_the_request_s_transmit_as_origin(int version)
    {
        var received = DateTimeOffset.Parse("2036-02-07T06:28:15.75Z");
        var sent = received.AddMilliseconds(0.5);
        var answer = new TimeAnswer(new UdpTimeServerOptions
        {
            Protocol = TimeProtocol.Sntp,
            Sntp = new SntpServerSettings { Stratum = 3, ReferenceId = 0x0A000001 },
        });
        var request = Request(version, 0x1122334455667788);
        var reply = new byte[TimeAnswer.MaxLength];
        Assert.Equal(48, answer.Write(request, reply, received, sent));
        Assert.True(SntpPacket.TryRead(reply, out var p));
        Assert.Equal((0, version, 4, 3), (p.Leap, p.Version, p.Mode, p.Stratum));
        Assert.Equal(0x0A000001u, p.ReferenceId);
        Assert.Equal(0x1122334455667788ul, p.OriginTime);
        Assert.Equal(received, NtpTimestamp.Decode(p.ReceiveTime, received));
        Assert.Equal(sent, NtpTimestamp.Decode(p.TransmitTime, received));
        Assert.True(p.ReferenceTime <= p.TransmitTime);
    }

    [Fact]
    public void An_unsynchronised_server_says_so_with_leap_3_and_stratum_16()
    {
        var answer = new TimeAnswer(new UdpTimeServerOptions { Protocol = TimeProtocol.Sntp, Sntp = new SntpServerSettings { Unsynchronized = true } });
        var reply = new byte[48];
        answer.Write(Request(4, 5), reply, NtpWrap, NtpWrap);
        Assert.True(SntpPacket.TryRead(reply, out var p));
        Assert.Equal((3, 16), (p.Leap, p.Stratum));
    }

    [Fact]
    public void A_rate_kiss_is_stratum_0_with_the_code_rate_and_the_origin_but_no_time()
    {
        var answer = new TimeAnswer(new UdpTimeServerOptions { Protocol = TimeProtocol.Sntp });
        var reply = new byte[48];
        Assert.Equal(48, answer.WriteRateKiss(Request(3, 42), reply));
        Assert.True(SntpPacket.TryRead(reply, out var p));
        Assert.True(p.IsKissOfDeath);
        Assert.Equal("RATE", p.ReferenceCode);
        Assert.Equal((3, 3, 42ul, 0ul), (p.Leap, p.Version, p.OriginTime, p.TransmitTime));
        Assert.Equal(0, new TimeAnswer(new UdpTimeServerOptions()).WriteRateKiss(Request(3, 42), reply));
    }

    [Fact]
    public void Offset_and_delay_come_from_the_four_timestamps_even_across_the_wrap()
    {
        // The server is 2 s ahead; each way takes 10 ms; it spends 1 ms on the request.
        var t1 = NtpWrap.AddMilliseconds(-2005);
        var t2 = t1.AddMilliseconds(10).AddSeconds(2);
        var t3 = t2.AddMilliseconds(1);
        var t4 = t1.AddMilliseconds(21);
        var reply = new SntpPacket { Version = 4, Mode = 4, Stratum = 2, ReceiveTime = NtpTimestamp.Encode(t2), TransmitTime = NtpTimestamp.Encode(t3) };
        var sample = SntpSample.From(reply, t1, t4);
        Assert.InRange(sample.Offset.TotalMilliseconds, 1999.999, 2000.001);
        Assert.InRange(sample.Delay.TotalMilliseconds, 19.999, 20.001);
        Assert.Equal(t3, sample.ServerTime);
    }

    [Fact]
    public void The_reference_id_reads_as_a_code_at_stratum_1_and_as_an_address_above()
    {
        Assert.Equal("GPS", new SntpSample(new SntpPacket { Stratum = 1, ReferenceId = SntpPacket.CodeId("GPS") }, default, default, default).ReferenceText);
        Assert.Equal("192.168.1.1", new SntpSample(new SntpPacket { Stratum = 2, ReferenceId = 0xC0A80101 }, default, default, default).ReferenceText);
        Assert.Equal("LOCL", new SntpSample(new SntpPacket { Stratum = 10, ReferenceId = SntpPacket.CodeId("LOCL") }, default, default, default).ReferenceText);
    }

    [Fact]
    public void Random_datagrams_of_0_to_100_bytes_never_break_the_parser_or_the_server()
    {
        var random = new Random(4330);
        var answer = new TimeAnswer(new UdpTimeServerOptions { Protocol = TimeProtocol.Sntp });
        var reply = new byte[TimeAnswer.MaxLength];
        var answered = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var data = new byte[random.Next(101)];
            random.NextBytes(data);
            if (i % 4 == 0 && data.Length >= 48)
            {
                data[0] = (byte)((data[0] & 0xC0) | (random.Next(1, 5) << 3) | 3); // a plausible request
            }

            var parsed = SntpPacket.TryRead(data, out var packet);
            Assert.Equal(data.Length >= 48, parsed);
            if (parsed)
            {
                Assert.InRange(packet.Leap, 0, 3);
                Assert.InRange(packet.Version, 0, 7);
                Assert.InRange(packet.Mode, 0, 7);
                _ = packet.ReferenceCode;
            }

            var length = answer.Write(data, reply, NtpWrap, NtpWrap);
            Assert.Equal(SntpPacket.IsRequest(data) ? 48 : 0, length);
            if (length > 0)
            {
                answered++;
                Assert.True(SntpPacket.TryRead(reply, out var p));
                Assert.Equal(4, p.Mode);
                Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(40)), p.OriginTime);
            }

            Assert.Equal(length, answer.WriteRateKiss(data, reply));
        }

        Assert.InRange(answered, 5_000, 50_000);
    }

    private static byte[] Request(int version, ulong transmit)
    {
        var request = new byte[48];
        new SntpPacket { Version = version, Mode = 3, Poll = 6, TransmitTime = transmit }.Write(request);
        return request;
    }
}
