using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary><c>tcp-client --bench</c>: the load mode users point at any echo server.</summary>
[Collection(NetkitCollection.Name)]
public sealed class BenchModeTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task Against_netkit_every_byte_is_verified_and_the_figures_agree_with_the_servers_summary()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo", "-v", "quiet");
        using (server)
        {
            server.CloseStdin();
            using var bench = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--bench", "--connections", "20", "--in-flight", "3",
                "--size", "100", "--duration", "1s", "--json");
            bench.CloseStdin();
            Assert.Equal(0, await bench.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            using var report = JsonDocument.Parse(bench.Stdout);
            var root = report.RootElement;
            Assert.True(root.GetProperty("ok").GetBoolean());
            Assert.Equal(20, root.GetProperty("connected").GetInt32());
            Assert.Equal(0, root.GetProperty("errors").GetInt32());
            var verified = root.GetProperty("verifiedMessages").GetInt64();
            Assert.True(root.GetProperty("messages").GetInt64() is > 0 and var inTime && inTime <= verified, bench.Stdout);
            Assert.True(root.GetProperty("latencyMs").GetProperty("p99").GetDouble() >= root.GetProperty("latencyMs").GetProperty("p50").GetDouble());

            // The server took in and sent back exactly what the client verified.
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            var bytes = Invariant(verified * 100);
            Assert.Contains($"summary: 20 connection(s), 0 rejected, {bytes} bytes in, {bytes} bytes out", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task A_server_that_changes_the_bytes_fails_with_exit_4_and_says_where()
    {
        // Seed mode adds its ack to each chunk: not an echo.
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "W", "-v", "quiet");
        using (server)
        {
            server.CloseStdin();
            using var bench = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--bench", "--connections", "2", "--duration", "1s");
            bench.CloseStdin();
            Assert.Equal(4, await bench.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Matches(new Regex(@"errors: 2 connection\(s\) \(2 with a wrong byte\); first: #\d: (wrong byte \d+ of the echo|\d+ byte\(s\) more than were sent)"), bench.Stdout);
        }
    }

    [SkippableFact]
    public async Task Nobody_listening_is_exit_1_with_the_reason()
    {
        using var bench = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(LocalPorts.FreeTcp()), "--bench", "--connections", "3", "--duration", "1s");
        bench.CloseStdin();
        Assert.Equal(1, await bench.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("0 of 3 connection(s)", bench.Stdout, StringComparison.Ordinal);
        Assert.Contains("connection refused", bench.Stdout, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("--connections is a --bench option: add --bench", "--connections", "5")]
    [InlineData("--json is a --bench option: add --bench", "--json")]
    [InlineData("--bench sends its own messages: without --message and --interactive", "--bench", "-m", "hi")]
    [InlineData("--size x --in-flight: at most 1 MiB in flight per connection (8388608 bytes asked)", "--bench", "--size", "2k", "--in-flight", "4096")]
    public async Task Load_options_without_the_load_mode_are_a_usage_error(string error, params string[] options)
    {
        using var client = netkit.Start(["tcp-client", "127.0.0.1", "--port", "9", .. options]);
        client.CloseStdin();
        Assert.Equal(2, await client.WaitForExitAsync());
        Assert.Contains(error, client.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Udp_against_netkit_every_reply_is_checked_and_the_counts_agree_with_the_servers_summary()
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "--host", "127.0.0.1", "-v", "quiet");
        using (server)
        {
            server.CloseStdin();
            using var bench = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--bench", "--sockets", "2", "--in-flight", "8",
                "--duration", "1s", "--json");
            bench.CloseStdin();
            Assert.Equal(0, await bench.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            using var report = JsonDocument.Parse(bench.Stdout);
            var root = report.RootElement;
            Assert.True(root.GetProperty("ok").GetBoolean(), bench.Stdout);
            var requests = root.GetProperty("requests").GetInt64();
            var replies = root.GetProperty("replies").GetInt64();
            Assert.True(replies > 0, bench.Stdout);
            Assert.Equal(0, root.GetProperty("badReplies").GetInt64());
            Assert.Equal(requests, replies + root.GetProperty("lost").GetInt64());
            Assert.True(root.GetProperty("latencyMs").GetProperty("p99").GetDouble() >= root.GetProperty("latencyMs").GetProperty("p50").GetDouble());

            // Every request reached the server and every reply it sent came back.
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains($"summary: {Invariant(requests)} request(s), {Invariant(replies)} replied", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Udp_a_server_whose_replies_are_not_4_bytes_fails_with_exit_4()
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var replying = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var request = await fake.ReceiveAsync(done.Token);
                    await fake.SendAsync(new byte[5], request.RemoteEndPoint, done.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The test is over.
            }
        });

        using var bench = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--bench", "--sockets", "1", "--in-flight", "1", "--duration", "1s");
        bench.CloseStdin();
        Assert.Equal(4, await bench.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("(first: 5 bytes)", bench.Stdout, StringComparison.Ordinal);
        await done.CancelAsync();
        await replying;
    }

    [SkippableFact]
    public async Task Udp_nobody_listening_is_exit_1_refused()
    {
        using var bench = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(LocalPorts.FreeUdp()), "--bench", "--duration", "1s", "--timeout", "200ms");
        bench.CloseStdin();
        Assert.Equal(1, await bench.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches(@"replies: 0 to [\d,]+ requests, 0/s; lost [\d,]+ \([\d.]+ %\), refused [1-9]", bench.Stdout);
        Assert.Contains("latency: none (nothing came back)", bench.Stdout, StringComparison.Ordinal);
        Assert.Contains("server clock: not seen (no reply)", bench.Stdout, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("--rate is a --bench option: add --bench", "--rate", "100")]
    [InlineData("--sockets is a --bench option: add --bench", "--sockets", "2")]
    [InlineData("--bench asks one server: without --broadcast", "--bench", "--broadcast")]
    public async Task Udp_load_options_without_the_load_mode_are_a_usage_error(string error, params string[] options)
    {
        using var client = netkit.Start(["udp-time-client", "127.0.0.1", "--port", "9", .. options]);
        client.CloseStdin();
        Assert.Equal(2, await client.WaitForExitAsync());
        Assert.Contains(error, client.Stderr, StringComparison.Ordinal);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
