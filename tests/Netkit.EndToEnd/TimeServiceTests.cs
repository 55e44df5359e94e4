using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// The time service beyond the tutorial (issue 13): RFC 868 over TCP, SNTP server and client, Kiss-o'-Death,
/// monitoring with --count/--max-offset, and interop with rdate (TCP, UDP and its SNTP mode), xinetd's
/// internal time service and chrony, both ways. Every server here binds 127.0.0.1 on a high port.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed partial class TimeServiceTests(NetkitBinary netkit)
{
    private static readonly DateTimeOffset NtpEra0 = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [SkippableFact]
    public async Task Rdate_OverTcpAndUdp_ReadsOneServerOnOnePort()
    {
        var rdate = Toolchain.Require("rdate");
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0", "--epoch", "rfc868", "--tcp");
        using (server)
        {
            await server.WaitForStderrAsync(new Regex($@"listening on 127\.0\.0\.1:{port} \(tcp\)"));
            foreach (var transport in new[] { "-p", "-pu" })
            {
                using var client = RunningProcess.Start(rdate, [transport, "-o", Invariant(port), "127.0.0.1"]);
                client.CloseStdin();
                Assert.Equal(0, await client.WaitForExitAsync());
                Assert.Matches(@"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}\n$", client.Stdout);
                Assert.Contains(DateTime.UtcNow.Year.ToString(CultureInfo.InvariantCulture), client.Stdout, StringComparison.Ordinal);
            }

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Matches(@"summary: 2 request\(s\), 2 replied", server.Stderr);
        }
    }

    [Fact]
    public async Task TcpOnly_AnswersConnectionsWithFourBytesThenClose_AndUdpIsNotServed()
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0", "--tcp", "--no-udp");
        using (server)
        {
            Assert.DoesNotContain("(udp)", server.Stderr, StringComparison.Ordinal);
            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                var bytes = await ReadToEndAsync(tcp.GetStream());
                Assert.Equal(4, bytes.Length);
                var seconds = BinaryPrimitives.ReadUInt32BigEndian(bytes);
                Assert.InRange(seconds - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), -5, 5);
            }

            using var json = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--tcp", "--json");
            json.CloseStdin();
            Assert.Equal(0, await json.WaitForExitAsync());
            using var reply = JsonDocument.Parse(json.Stdout);
            Assert.Equal("unix", reply.RootElement.GetProperty("epoch").GetString());

            // Nothing listens on the UDP port: the client is refused at once (exit 1), not left waiting.
            using var udp = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port));
            udp.CloseStdin();
            Assert.Equal(1, await udp.WaitForExitAsync());
            Assert.Contains("refused", udp.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TcpClient_RefusesAReplyThatIsNotFourBytes()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--tcp");
        client.CloseStdin();
        using (var connection = await listener.AcceptTcpClientAsync().WaitAsync(RunningProcess.DefaultTimeout))
        {
            await connection.GetStream().WriteAsync("Tue Dec  1\r\n"u8.ToArray());
        }

        Assert.Equal(4, await client.WaitForExitAsync());
        Assert.Contains("reply error 12:", client.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Xinetd_TimeServiceOverTcpAndUdp_IsReadByTheClient()
    {
        var xinetd = Toolchain.Require("xinetd");
        var port = LocalPorts.FreeTcp();
        await InTemporaryDirectoryAsync("netkit-xinetd-", async directory =>
        {
            var config = Path.Combine(directory, "xinetd.conf");
            var log = Path.Combine(directory, "xinetd.log");
            // UNLISTED: xinetd otherwise insists on /etc/services' port 37 for "time".
            File.WriteAllText(config, $$"""
                service time
                {
                    type = INTERNAL UNLISTED
                    id = time-stream
                    socket_type = stream
                    protocol = tcp
                    port = {{port}}
                    bind = 127.0.0.1
                    wait = no
                }
                service time
                {
                    type = INTERNAL UNLISTED
                    id = time-dgram
                    socket_type = dgram
                    protocol = udp
                    port = {{port}}
                    bind = 127.0.0.1
                    wait = yes
                }
                """);
            using var server = RunningProcess.Start(xinetd, ["-dontfork", "-f", config, "-pidfile", Path.Combine(directory, "pid"), "-filelog", log]);
            server.CloseStdin();
            await LocalPorts.WaitForTcpListenerAsync(port);
            await LocalPorts.WaitForUdpBindAsync(port);
            foreach (var transport in new[] { "--tcp", "--json" })
            {
                using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--json", transport);
                client.CloseStdin();
                Assert.Equal(0, await client.WaitForExitAsync());
                using var reply = JsonDocument.Parse(client.Stdout);
                Assert.Equal("rfc868", reply.RootElement.GetProperty("epoch").GetString());
                Assert.InRange(reply.RootElement.GetProperty("offsetSeconds").GetDouble(), -2, 2);
            }

            await server.SignalAsync("TERM");
            await server.WaitForExitAsync();
        });
    }

    [SkippableFact]
    public async Task Chrony_AsServer_IsMeasuredBySntpClient()
    {
        var chronyd = Toolchain.Require("chronyd");
        var port = LocalPorts.FreeUdp();
        await InTemporaryDirectoryAsync("netkit-chrony-", async directory =>
        {
            var config = Path.Combine(directory, "chrony.conf");
            // A server of the local clock on a high port that never touches the clock (-x) or /run (cmdport 0, bindcmdaddress /).
            File.WriteAllText(config, $"port {port}\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 10\ncmdport 0\nbindcmdaddress /\npidfile {directory}/chronyd.pid\n");
            using var server = RunningProcess.Start(chronyd, ["-u", "root", "-x", "-d", "-f", config]);
            server.CloseStdin();
            await LocalPorts.WaitForUdpBindAsync(port);
            using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp", "--count", "2", "--interval", "200ms", "--json");
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync());
            var lines = client.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            using var sample = JsonDocument.Parse(lines[0]);
            Assert.Equal(10, sample.RootElement.GetProperty("stratum").GetInt32());
            Assert.Equal(0, sample.RootElement.GetProperty("leap").GetInt32());
            Assert.InRange(sample.RootElement.GetProperty("offsetSeconds").GetDouble(), -0.05, 0.05);
            using var summary = JsonDocument.Parse(lines[2]);
            Assert.Equal(2, summary.RootElement.GetProperty("samples").GetInt32());
            Assert.Equal("ok", summary.RootElement.GetProperty("status").GetString());
            await server.SignalAsync("TERM");
            await server.WaitForExitAsync();
        });
    }

    [SkippableFact]
    public async Task Chrony_AsClient_AcceptsTheSntpServer()
    {
        var chronyd = Toolchain.Require("chronyd");
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0", "--protocol", "sntp");
        using (server)
        {
            // -Q: measure once and print, never set the clock; a server directive on the command line
            // keeps chronyd from reading /etc/chrony/chrony.conf (and its pool).
            using var client = RunningProcess.Start(chronyd, ["-f", "/dev/null", "-Q", "-t", "8", $"server 127.0.0.1 port {port} iburst maxsamples 1"]);
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            var wrong = ClockWrong().Match(client.Stderr);
            Assert.True(wrong.Success, client.Stderr);
            Assert.InRange(double.Parse(wrong.Groups[1].Value, CultureInfo.InvariantCulture), -0.05, 0.05);
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Matches(@"summary: [1-9]\d* request\(s\), [1-9]\d* replied", server.Stderr);
        }
    }

    [SkippableFact]
    public async Task RdateSntpMode_AndTheUnsynchronisedServer()
    {
        var rdate = Toolchain.Require("rdate");
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0", "--protocol", "sntp", "--stratum", "2", "--refid", "192.168.1.1");
        using (server)
        {
            // rdate -n: its SNTP client, which checks the origin, leap and stratum.
            using var client = RunningProcess.Start(rdate, ["-n", "-p", "-o", Invariant(port), "127.0.0.1"]);
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains(DateTime.UtcNow.Year.ToString(CultureInfo.InvariantCulture), client.Stdout, StringComparison.Ordinal);

            using var ours = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp");
            ours.CloseStdin();
            Assert.Equal(0, await ours.WaitForExitAsync());
            Assert.Matches(@", offset [+-]0\.0\d{5} s, delay \d+\.\d{3} ms, stratum 2, refid 192\.168\.1\.1, 127\.0\.0\.1:\d+\n$", ours.Stdout);
        }

        var (unsynced, unsyncedPort) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0", "--protocol", "sntp", "--unsynchronized");
        using (unsynced)
        {
            using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(unsyncedPort), "--protocol", "sntp");
            client.CloseStdin();
            Assert.Equal(4, await client.WaitForExitAsync());
            Assert.Contains("not synchronised (leap 3, stratum 16)", client.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Ntpdig_OnPort123InANamespaceOfOurOwn_TakesTheSntpServer()
    {
        // ntpdig (ntpsec) always asks port 123: a network namespace of our own, loopback alone,
        // lets netkit bind it without touching the host's network or its NTP service.
        Skip.IfNot(Environment.IsPrivilegedProcess, "a network namespace needs root (unshare -n)");
        var unshare = Toolchain.Require("unshare");
        Toolchain.Require("ip");
        Toolchain.Require("ntpdig");
        const string Script = """
            ip link set lo up || exit 90
            "$0" udp-time-server --protocol sntp --host 127.0.0.1 --port 123 --stratum 3 2>"$1" & server=$!
            for i in $(seq 200); do grep -q listening "$1" && break; sleep 0.05; done
            ntpdig -t 3 127.0.0.1
            code=$?
            kill $server; wait
            rm -f "$1"
            exit $code
            """;
        var log = Path.Combine(Path.GetTempPath(), $"netkit-ntpdig-{Environment.ProcessId}");
        using var run = RunningProcess.Start(unshare, ["-n", "sh", "-c", Script, netkit.Path, log]);
        run.CloseStdin();
        var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Skip.If(code == 90, "no loopback in a new network namespace here");
        Assert.True(code == 0, $"exit {code}: {run.Stderr}\n{run.Stdout}");
        // "2026-12-02 00:01:49.504419 (+0000) -0.000014 +/- 0.000080 127.0.0.1 s3 no-leap"
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \([+-]\d{4}\) [+-]0\.0\d+ \+/- \d+\.\d+ 127\.0\.0\.1 s3 no-leap\n", run.Stdout);
    }

    [Fact]
    public async Task RateLimit_SendsKissOfDeathRate_TheClientBacksOff_AndBothCountIt()
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0", "--protocol", "sntp",
            "--rate-limit", "1", "--rate-burst", "1", "--log-format", "json");
        using (server)
        {
            // One token, refilled once a second: the second query, 50ms after the first, is over the limit.
            using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp", "--count", "2", "--interval", "50ms", "--timeout", "5s");
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("sent a Kiss-o'-Death RATE", client.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("from now on", client.Stderr, StringComparison.Ordinal); // it was the last query
            Assert.Matches(@"--- 127\.0\.0\.1:\d+: 2 asked, 1 sample\(s\), 0 lost, 1 kiss-o'-death;", client.Stdout);

            // A single query while the source is still limited: exit 5 (denied), the code named. Its
            // kiss limit (one a second) may hold the kiss back: then the query times out (exit 3).
            // The token comes back a second after the limited query: a client that took longer to
            // start (under qemu every process start takes about that) is served (exit 0).
            using var once = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp", "--timeout", "300ms", "--retries", "0");
            once.CloseStdin();
            var code = await once.WaitForExitAsync();
            Assert.True(code is 5 or 3 or 0, $"exit {code}: {once.Stderr}");
            var limitedAgain = code != 0;

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            using var summary = JsonDocument.Parse(server.Stderr.Split('\n').Last(l => l.Contains("\"Summary\"", StringComparison.Ordinal)));
            var fields = summary.RootElement.GetProperty("fields");
            Assert.True(fields.GetProperty("kissOfDeath").GetInt64() >= 1, server.Stderr);
            Assert.True(fields.GetProperty("drops").GetProperty("rate-limit").GetInt64() >= (limitedAgain ? 2 : 1), server.Stderr);
            Assert.Equal(3, fields.GetProperty("topTalkers").GetProperty("127.0.0.1").GetInt64());
        }
    }

    [Fact]
    public async Task KissOfDeathDeny_StopsTheClient_WithExit5()
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp", "--count", "5", "--interval", "50ms");
        client.CloseStdin();
        var request = await fake.ReceiveAsync().WaitAsync(RunningProcess.DefaultTimeout);
        await fake.SendAsync(Reply(request.Buffer, stratum: 0, refid: "DENY"u8, offset: TimeSpan.Zero), request.RemoteEndPoint);
        Assert.Equal(5, await client.WaitForExitAsync());
        Assert.Contains("Kiss-o'-Death DENY: it refuses to serve us; stop asking it", client.Stderr, StringComparison.Ordinal);
        // The summary counts the query that ended the run.
        Assert.Matches(@"^--- 127\.0\.0\.1:\d+: 1 asked, 0 sample\(s\), 0 lost, 1 kiss-o'-death\n$", client.Stdout);
        // It stopped: no second request came.
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await fake.ReceiveAsync(quiet.Token));
    }

    [Fact]
    public async Task StaleOrSpoofedReply_IsIgnored_TheMatchingOneIsTaken_AndMaxOffsetFailsTheCheck()
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp", "--count", "2", "--interval", "50ms",
            "--max-offset", "1s", "--json", "-v", "debug");
        client.CloseStdin();
        for (var i = 0; i < 2; i++)
        {
            var request = await fake.ReceiveAsync().WaitAsync(RunningProcess.DefaultTimeout);
            var received = DateTimeOffset.UtcNow;
            var stale = (byte[])request.Buffer.Clone();
            stale[47] ^= 0xFF; // another request's transmit time
            await fake.SendAsync(Reply(stale, stratum: 2, refid: [10, 0, 0, 1], offset: TimeSpan.FromSeconds(-100)), request.RemoteEndPoint);
            // The server's clock is 2.5 s ahead.
            await fake.SendAsync(Reply(request.Buffer, stratum: 2, refid: [10, 0, 0, 1], offset: TimeSpan.FromSeconds(2.5), received), request.RemoteEndPoint);
        }

        Assert.Equal(8, await client.WaitForExitAsync());
        Assert.Contains("origin timestamp is not our request's (stale or spoofed)", client.Stderr, StringComparison.Ordinal);
        Assert.Contains("is beyond --max-offset 1s", client.Stderr, StringComparison.Ordinal);
        var lines = client.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        // However slowly this host ran the fake, the true offset (2.5 s) lies within half the delay
        // of the estimate: that is what the four timestamps guarantee, so that is what is asserted.
        var bound = 0.0;
        foreach (var line in lines[..2])
        {
            using var sample = JsonDocument.Parse(line);
            var halfDelay = (sample.RootElement.GetProperty("delayMs").GetDouble() / 2000) + 0.001;
            bound = Math.Max(bound, halfDelay);
            Assert.InRange(sample.RootElement.GetProperty("offsetSeconds").GetDouble(), 2.5 - halfDelay, 2.5 + halfDelay);
            Assert.Equal("10.0.0.1", sample.RootElement.GetProperty("refid").GetString());
        }

        using var summary = JsonDocument.Parse(lines[2]);
        Assert.Equal("offset", summary.RootElement.GetProperty("status").GetString());
        Assert.InRange(summary.RootElement.GetProperty("offsetSeconds").GetProperty("median").GetDouble(), 2.5 - bound, 2.5 + bound);
    }

    [Theory]
    [InlineData("zero-receive", 4, "without a receive time")]
    [InlineData("version-5", 4, "NTP version 5, not 1-4")]
    [InlineData("held-too-long", 4, "impossible timestamps")]
    [InlineData("rate", 5, "Kiss-o'-Death RATE")]
    public async Task ImpossibleRepliesAreRefused_AndKissesOnlyAreAKissOfDeath(string behaviour, int code, string message)
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp", "--count", "2", "--interval", "10ms");
        client.CloseStdin();
        for (var i = 0; i < (behaviour == "rate" ? 2 : 1); i++)
        {
            var request = await fake.ReceiveAsync().WaitAsync(RunningProcess.DefaultTimeout);
            var reply = Reply(request.Buffer, stratum: behaviour == "rate" ? 0 : 2, refid: behaviour == "rate" ? "RATE"u8 : [10, 0, 0, 1], offset: TimeSpan.Zero);
            switch (behaviour)
            {
                case "zero-receive":
                    reply.AsSpan(32, 8).Clear();
                    break;
                case "version-5":
                    reply[0] = (byte)((5 << 3) | 4);
                    break;
                case "held-too-long":
                    // Received 10 s before it was sent: longer than the whole round trip.
                    BinaryPrimitives.WriteUInt64BigEndian(reply.AsSpan(32), BinaryPrimitives.ReadUInt64BigEndian(reply.AsSpan(40)) - (10ul << 32));
                    break;
            }

            await fake.SendAsync(reply, request.RemoteEndPoint);
        }

        Assert.Equal(code, await client.WaitForExitAsync());
        Assert.Contains(message, client.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxOffset_OnTheFourByteCount_NeverFailsACorrectClock()
    {
        // The count says only which second it is: a correct server reads up to 0.5 s (and half the
        // round trip) off, so a check with a tighter bound must allow for that, not go CRITICAL.
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0");
        using (server)
        {
            using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--count", "5", "--interval", "70ms", "--max-offset", "100ms");
            client.CloseStdin();
            Assert.True(await client.WaitForExitAsync() == 0, client.Stderr + client.Stdout);
        }
    }

    [Fact]
    public async Task SntpClient_AsksPort123UnlessTold()
    {
        // Nothing listens on 127.0.0.1:123 here: the refusal names the port asked.
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--protocol", "sntp", "--timeout", "2s", "--retries", "0");
        client.CloseStdin();
        var code = await client.WaitForExitAsync();
        Assert.True(code is 1 or 3, client.Stderr);
        Assert.Matches(@"127\.0\.0\.1:123\b", client.Stderr);
    }

    [Theory]
    [InlineData("four-then-reset", 0, "")]
    [InlineData("hundred", 4, "reply error 100:")]
    public async Task TcpClient_TakesFourBytesThenAReset_AndCountsALongReplyWhole(string behaviour, int code, string message)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--tcp");
        client.CloseStdin();
        using (var connection = await listener.AcceptTcpClientAsync().WaitAsync(RunningProcess.DefaultTimeout))
        {
            var bytes = new byte[behaviour == "hundred" ? 100 : 4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            await connection.GetStream().WriteAsync(bytes);
            if (behaviour == "four-then-reset")
            {
                await Task.Delay(50);
                connection.Client.LingerState = new LingerOption(true, 0); // close with a reset
            }
        }

        Assert.True(await client.WaitForExitAsync() == code, client.Stderr);
        Assert.Contains(message, client.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerRefid_TakesOnlyWhatItsStratumMeans()
    {
        foreach (var (arguments, ok) in new (string[], bool)[]
        {
            (["--refid", "127.1"], false),          // inet_aton's shorthand
            (["--refid", "010.0.0.1"], false),      // octal in inet_aton
            (["--refid", "GPS"], false),            // a clock's name at stratum 10
            (["--stratum", "1", "--refid", "10.0.0.1"], false),
            (["--unsynchronized", "--stratum", "3"], false),
            (["--stratum", "1", "--refid", "GPS", "--acl-check", "127.0.0.1"], true),
            (["--stratum", "2", "--refid", "10.0.0.1", "--acl-check", "127.0.0.1"], true),
        })
        {
            using var run = netkit.Start(["udp-time-server", "--protocol", "sntp", "--port", "0", .. arguments]);
            run.CloseStdin();
            var exit = await run.WaitForExitAsync();
            Assert.True(ok ? exit == 0 : exit == 2, $"{string.Join(' ', arguments)}: exit {exit}: {run.Stderr}");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("50")] // paced: the duplicate comes while nothing is owed
    public async Task SntpBench_CountsDuplicateRepliesAsBad(string rate)
    {
        using var fake = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)fake.Client.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var request = await fake.ReceiveAsync(stop.Token);
                var reply = Reply(request.Buffer, stratum: 2, refid: [10, 0, 0, 1], offset: TimeSpan.Zero);
                await fake.SendAsync(reply, request.RemoteEndPoint, stop.Token);
                await fake.SendAsync(reply, request.RemoteEndPoint, stop.Token); // twice
            }
        });
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--protocol", "sntp", "--bench", "--duration", "1s",
            "--sockets", "1", "--in-flight", "1", "--rate", rate, "--json");
        client.CloseStdin();
        var code = await client.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answering);
        Assert.Equal(4, code);
        using var report = JsonDocument.Parse(client.Stdout);
        Assert.True(report.RootElement.GetProperty("badReplies").GetInt64() > 0, client.Stdout);
    }

    [Fact]
    public async Task Monitoring_CountsLosses_AndAllLostIsATimeout()
    {
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)silent.Client.LocalEndPoint!).Port;
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--count", "2", "--interval", "10ms", "--timeout", "100ms", "--retries", "0");
        client.CloseStdin();
        Assert.Equal(3, await client.WaitForExitAsync());
        Assert.Matches(@"^--- 127\.0\.0\.1:\d+: 2 asked, 0 sample\(s\), 2 lost\n$", client.Stdout);
        Assert.Contains("no reply from 127.0.0.1:" + Invariant(port) + " to 2 queries", client.Stderr, StringComparison.Ordinal);

        var (server, serverPort) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0");
        using (server)
        {
            using var ok = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(serverPort), "--count", "3", "--interval", "10ms", "--max-offset", "5s");
            ok.CloseStdin();
            Assert.Equal(0, await ok.WaitForExitAsync());
            Assert.Matches(@"--- 127\.0\.0\.1:\d+: 3 asked, 3 sample\(s\), 0 lost; offset min/median/max [+-]\d\.\d{6}/[+-]\d\.\d{6}/[+-]\d\.\d{6} s; delay min/median/max ", ok.Stdout);
        }
    }

    [Fact]
    public async Task SntpInterval_BelowRfc4330sFloor_IsRefusedForARemoteServer()
    {
        // Refused before anything is sent (192.0.2.1 is TEST-NET-1: never reached).
        using var client = netkit.Start("udp-time-client", "192.0.2.1", "--protocol", "sntp", "--count", "2", "--interval", "1s");
        client.CloseStdin();
        Assert.Equal(2, await client.WaitForExitAsync());
        Assert.Contains("at most every 15s (RFC 4330)", client.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_ShowTopTalkersAndReplyTimes_ForUdpAndTcpRequests()
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0", "--tcp", "--log-format", "json");
        using (server)
        {
            using (var udp = new UdpClient())
            {
                for (var i = 0; i < 3; i++)
                {
                    await udp.SendAsync(Array.Empty<byte>(), new IPEndPoint(IPAddress.Loopback, port));
                    using var wait = new CancellationTokenSource(RunningProcess.DefaultTimeout);
                    Assert.Equal(4, (await udp.ReceiveAsync(wait.Token)).Buffer.Length);
                }
            }

            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                Assert.Equal(4, (await ReadToEndAsync(tcp.GetStream())).Length);
            }

            await server.SignalAsync("USR1");
            var line = await server.WaitForStderrAsync(new Regex("^.*\"Stats\".*$", RegexOptions.Multiline));
            using var stats = JsonDocument.Parse(line.Value);
            var fields = stats.RootElement.GetProperty("fields");
            Assert.Equal(4, fields.GetProperty("requests").GetInt64());
            Assert.Equal(4, fields.GetProperty("replied").GetInt64());
            Assert.Equal(4, fields.GetProperty("topTalkers").GetProperty("127.0.0.1").GetInt64());
            var times = fields.GetProperty("replyTimes");
            Assert.InRange(times.GetProperty("p50Us").GetInt64(), 0, times.GetProperty("maxUs").GetInt64());
            Assert.Matches(@"replies: 4, p50 \d[\d.]*[nmu]?s, p99 .*; top talkers: 127\.0\.0\.1 4 request\(s\)", stats.RootElement.GetProperty("message").GetString());
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
        }
    }

    // A server's reply to request: mode 4, version 4, the request's transmit as origin, our clock plus offset.
    private static byte[] Reply(byte[] request, int stratum, ReadOnlySpan<byte> refid, TimeSpan offset, DateTimeOffset? received = null)
    {
        var reply = new byte[48];
        reply[0] = (byte)((stratum == 0 ? 3 << 6 : 0) | (4 << 3) | 4);
        reply[1] = (byte)stratum;
        reply[3] = unchecked((byte)-20);
        refid.CopyTo(reply.AsSpan(12));
        request.AsSpan(40, 8).CopyTo(reply.AsSpan(24));
        if (stratum != 0)
        {
            // T2 when the request came (a slow test host must not skew the offset), T3 now.
            var now = Timestamp(DateTimeOffset.UtcNow + offset);
            BinaryPrimitives.WriteUInt64BigEndian(reply.AsSpan(16), now & 0xFFFFFFFF00000000);
            BinaryPrimitives.WriteUInt64BigEndian(reply.AsSpan(32), received is { } at ? Timestamp(at + offset) : now);
            BinaryPrimitives.WriteUInt64BigEndian(reply.AsSpan(40), now);
        }

        return reply;
    }

    private static ulong Timestamp(DateTimeOffset time)
    {
        var ticks = (time - NtpEra0).Ticks;
        var seconds = (ulong)(ticks / TimeSpan.TicksPerSecond) & 0xFFFFFFFF;
        var fraction = (ulong)((ticks % TimeSpan.TicksPerSecond) * 4294967296.0 / TimeSpan.TicksPerSecond);
        return (seconds << 32) | fraction;
    }

    // A peer's config and logs in a directory of their own, removed afterwards.
    private static async Task InTemporaryDirectoryAsync(string prefix, Func<string, Task> body)
    {
        var directory = Directory.CreateTempSubdirectory(prefix);
        try
        {
            await body(directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        using var limit = new CancellationTokenSource(RunningProcess.DefaultTimeout);
        await stream.CopyToAsync(buffer, limit.Token);
        return buffer.ToArray();
    }

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"System clock wrong by (-?\d+\.\d+) seconds")]
    private static partial Regex ClockWrong();
}
