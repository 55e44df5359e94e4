using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core.Protocols;
using Netkit.Core.Udp;
using Netkit.Output;
using Netkit.Tests.Support;

namespace Netkit.Tests.Udp;

public sealed class TimeOffsetTests
{
    private static readonly IPEndPoint Server = new(IPAddress.Loopback, 37);
    private static readonly DateTimeOffset Second = DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    // The server's clock was somewhere in [T, T+1): the middle is the best guess, not T.
    [InlineData(0.0, 0, 0.5, 0.5)]
    [InlineData(0.5, 0, 0.0, 0.5)]
    [InlineData(0.999, 0, -0.499, 0.5)]
    // The server answered somewhere in the round trip: compare with its middle.
    [InlineData(0.7, 400, 0.0, 0.7)]
    [InlineData(3.0, 1000, -2.0, 1.0)]
    public void The_offset_is_the_middle_of_the_servers_second_against_the_middle_of_the_exchange(double arrivedAfter, int roundTripMs, double offset, double uncertainty)
    {
        var reading = new TimeReading(Server, 0, Second.AddSeconds(arrivedAfter), TimeSpan.FromMilliseconds(roundTripMs));

        Assert.Equal(offset, TimeOffset.Estimate(Second, reading).TotalSeconds, 9);
        Assert.Equal(uncertainty, TimeOffset.Uncertainty(reading).TotalSeconds, 9);
    }

    [Fact]
    public void Every_true_offset_a_reply_allows_is_within_the_uncertainty_of_the_estimate()
    {
        // A server exactly in step with us, answering at any point of a 200 ms exchange, at any
        // fraction of its second: the estimate is never further off than it says.
        var roundTrip = TimeSpan.FromMilliseconds(200);
        for (var sent = 0; sent < 1000; sent += 37)
        {
            for (var answered = 0; answered <= 200; answered += 50)
            {
                var serverNow = Second.AddMilliseconds(sent + answered);
                var whole = DateTimeOffset.FromUnixTimeSeconds(serverNow.ToUnixTimeSeconds());
                var reading = new TimeReading(Server, 0, Second.AddMilliseconds(sent) + roundTrip, roundTrip);
                var estimate = TimeOffset.Estimate(whole, reading);
                Assert.True(estimate.Duration() <= TimeOffset.Uncertainty(reading), $"{estimate} beyond {TimeOffset.Uncertainty(reading)}");
            }
        }
    }

    [Fact]
    public async Task A_reply_on_a_fake_clock_gives_the_offset_from_its_arrival_and_round_trip()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var time = new FakeTimeProvider(Second.AddSeconds(10.25));
        var query = new TimeQuery { Timeout = TimeSpan.FromSeconds(30), Retries = 0 };
        var asking = UdpTimeClient.QueryAsync((IPEndPoint)server.LocalEndPoint!, query, NullLogger.Instance, time, CancellationToken.None);

        using var patience = new CancellationTokenSource(Loopback.Patience);
        var buffer = new byte[16];
        var request = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), patience.Token);
        time.Advance(TimeSpan.FromMilliseconds(300)); // the round trip, on the client's clock
        var reply = new byte[4];
        TimeDatagram.Write(Second.AddSeconds(10), TimeEpoch.Unix, reply);
        await server.SendToAsync(reply, SocketFlags.None, request.RemoteEndPoint, patience.Token);
        var reading = await asking.WaitAsync(Loopback.Patience);

        // Server: 10.5 s past the minute (the middle of second 10); us: 10.25 + 0.3 - 0.15 = 10.4 s.
        var (serverTime, _) = TimeDatagram.DecodeNearest(reading.Value, reading.LocalTime);
        Assert.Equal(0.1, TimeOffset.Estimate(serverTime, reading).TotalSeconds, 9);
        Assert.Equal(0.65, TimeOffset.Uncertainty(reading).TotalSeconds, 9);

        using var report = new MemoryStream();
        TimeReport.WriteJson(report, reading, serverTime, TimeEpoch.Unix);
        using var json = JsonDocument.Parse(report.ToArray());
        Assert.Equal(0.1, json.RootElement.GetProperty("offsetSeconds").GetDouble(), 9);
        Assert.Equal(0.65, json.RootElement.GetProperty("offsetUncertaintySeconds").GetDouble(), 9);
        Assert.Equal(1, json.RootElement.GetProperty("resolutionSeconds").GetDouble());
        Assert.Equal(300, json.RootElement.GetProperty("roundTripMs").GetDouble());
        Assert.Equal("2026-12-01T12:00:10.550000Z", json.RootElement.GetProperty("localTime").GetString());
    }

    [Fact]
    public void Several_readings_are_json_lines_one_compact_object_per_responder()
    {
        using var output = new MemoryStream();
        foreach (var host in new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3" })
        {
            var reading = new TimeReading(new IPEndPoint(IPAddress.Parse(host), 37), 0, Second.AddSeconds(0.5), TimeSpan.FromMilliseconds(2));
            TimeReport.WriteJson(output, reading, Second, TimeEpoch.Unix);
        }

        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(["192.0.2.1:37", "192.0.2.2:37", "192.0.2.3:37"], lines.Select(l =>
        {
            using var json = JsonDocument.Parse(l);
            return json.RootElement.GetProperty("server").GetString();
        }));
    }
}
