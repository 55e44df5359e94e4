using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// A TCP server's live stats: SIGUSR1 and <c>--stats-interval</c> print a line whose counters are what
/// the clients did, as text or one JSON object; the summary has the peak and the reply times.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed partial class StatsTests(NetkitBinary netkit)
{
    public static TheoryData<string> Transports => ["1", "0"];

    [SkippableTheory]
    [MemberData(nameof(Transports))]
    public async Task Sigusr1_PrintsStats_WhoseCountersAreWhatTheClientsSent(string loops)
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo", "--loops", loops, "--log-format", "json");
        using (server)
        {
            server.CloseStdin();

            // Three at once (the peak), 1000 bytes each, echoed; then two leave.
            var clients = new Socket[3];
            for (var i = 0; i < clients.Length; i++)
            {
                clients[i] = await Loopback.ConnectAsync(port);
                await clients[i].SendAsync(new byte[1000], SocketFlags.None);
                Assert.Equal(1000, (await Loopback.ReadExactlyAsync(clients[i], 1000)).Length);
            }

            clients[0].Dispose();
            clients[1].Dispose();
            await server.WaitForStderrAsync(TwoClosed());

            await server.SignalAsync("USR1");
            var line = (await server.WaitForStderrAsync(StatsLine())).Value;
            using var stats = JsonDocument.Parse(line);
            var fields = stats.RootElement.GetProperty("fields");
            Assert.Equal(1, fields.GetProperty("current").GetInt32());
            Assert.Equal(3, fields.GetProperty("peak").GetInt32());
            Assert.Equal(3, fields.GetProperty("connections").GetInt32());
            Assert.Equal(3000, fields.GetProperty("bytesIn").GetInt64());
            Assert.Equal(3000, fields.GetProperty("bytesOut").GetInt64());
            Assert.Equal(6000, fields.GetProperty("topTalkers").GetProperty("127.0.0.1").GetInt64());
            Assert.True(fields.GetProperty("replies").GetInt64() >= 3, line);
            var times = fields.GetProperty("replyTimes");
            Assert.True(times.GetProperty("p99Us").GetInt64() >= times.GetProperty("p50Us").GetInt64(), line);

            // SIGUSR1 is not the end: it serves on, and stops on TERM with the summary.
            await clients[2].SendAsync(new byte[10], SocketFlags.None);
            Assert.Equal(10, (await Loopback.ReadExactlyAsync(clients[2], 10)).Length);
            clients[2].Dispose();
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("peak 3 at once, replies: ", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task StatsInterval_PrintsALineEachInterval_AsText()
    {
        var (server, _) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo", "--stats-interval", "100ms");
        using (server)
        {
            server.CloseStdin();
            await server.WaitForStderrAsync(ThreeTextLines(), TimeSpan.FromSeconds(20));
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Matches(TextLine(), server.Stderr);
        }
    }

    [SkippableFact]
    public async Task UdpTimeServer_Sigusr1_PrintsItsCounters()
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "--host", "127.0.0.1", "--log-format", "json");
        using (server)
        {
            server.CloseStdin();
            using var client = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            client.Connect(System.Net.IPAddress.Loopback, port);
            for (var i = 0; i < 5; i++)
            {
                await client.SendAsync(new byte[i]);
                Assert.Equal(4, (await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer.Length);
            }

            await server.SignalAsync("USR1");
            using var stats = JsonDocument.Parse((await server.WaitForStderrAsync(StatsLine())).Value);
            var fields = stats.RootElement.GetProperty("fields");
            Assert.Equal(5, fields.GetProperty("requests").GetInt64());
            Assert.Equal(5, fields.GetProperty("replied").GetInt64());
            Assert.Equal(0 + 1 + 2 + 3 + 4, fields.GetProperty("bytesIn").GetInt64());
            Assert.Equal(20, fields.GetProperty("bytesOut").GetInt64());
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
        }
    }

    [GeneratedRegex(@"#2 closed: [^\n]*\n(?s:.*)#1 closed:|#1 closed: [^\n]*\n(?s:.*)#2 closed:")]
    private static partial Regex TwoClosed();

    [GeneratedRegex(@"\{[^\n]*""event"":""Stats""[^\n]*\}")]
    private static partial Regex StatsLine();

    [GeneratedRegex(@"(stats: [^\n]*\n(?s:.*)){3}")]
    private static partial Regex ThreeTextLines();

    [GeneratedRegex(@"stats: 0 connection\(s\) now, peak 0, 0 in all, 0 rejected, 0 bytes in, 0 bytes out, drops: none, errors: 0, replies: 0; top talkers: none\n")]
    private static partial Regex TextLine();
}
