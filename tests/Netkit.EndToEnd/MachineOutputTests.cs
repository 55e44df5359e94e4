using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// Output a script can parse: with <c>--log-format json</c> every stderr line is one JSON object
/// (timestamp, level, event, message, fields), status and error lines included; with
/// <c>systemd</c> every line has its priority; <c>udp-time-client --json</c> is JSON Lines.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed partial class MachineOutputTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task TcpServerSession_WithJsonLogFormat_EveryStderrLineIsOneJsonObject()
    {
        var (server, client) = await RunSessionAsync("json");
        using (server)
        using (client)
        {
            var serverLines = ParseEveryLine(server.Stderr);
            var listening = Assert.Single(serverLines, l => Event(l) == "Listening");
            Assert.StartsWith("listening on 127.0.0.1:", listening.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("tcp", listening.GetProperty("fields").GetProperty("transport").GetString());
            Assert.Equal("127.0.0.1", listening.GetProperty("fields").GetProperty("address").GetString());
            Assert.Contains(serverLines, l => Event(l) == "Chunk" && l.GetProperty("fields").GetProperty("data").GetString() == "hello");

            var summary = Assert.Single(serverLines, l => Event(l) == "Summary");
            Assert.StartsWith("summary: 1 connection(s)", summary.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(1, summary.GetProperty("fields").GetProperty("connections").GetInt64());
            Assert.Equal(5, summary.GetProperty("fields").GetProperty("bytesIn").GetInt64());
            Assert.Equal(0, summary.GetProperty("fields").GetProperty("droppedLogLines").GetInt64());

            var clientLines = ParseEveryLine(client.Stderr);
            Assert.Contains(clientLines, l => Event(l) == "Sent" && l.GetProperty("message").GetString() == "sending completed.");
        }
    }

    [SkippableFact]
    public async Task PipedOperatorWords_WithJsonLogFormat_TheOperatorNotesAreJsonLinesToo()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--log-format", "json");
        using (server)
        {
            server.Write("W1\n");
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "hello");
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("hello\nI get it!\nW1", client.Stdout);

            await server.WaitForStderrAsync(OperatorInputEnded());
            await server.WaitForStderrAsync(ClosedLine());
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());

            var lines = ParseEveryLine(server.Stderr);
            Assert.Contains(lines, l => Event(l) == "Note" && l.GetProperty("message").GetString()!.StartsWith("operator input ended (the end of stdin)", StringComparison.Ordinal));
            var summary = Assert.Single(lines, l => Event(l) == "Summary");
            Assert.Equal(1, summary.GetProperty("fields").GetProperty("wordsSent").GetInt64());
        }
    }

    [SkippableFact]
    public async Task TcpServerSession_WithSystemdLogFormat_EveryStderrLineHasItsPriority()
    {
        var (server, client) = await RunSessionAsync("systemd");
        using (server)
        using (client)
        {
            foreach (var line in Lines(server.Stderr).Concat(Lines(client.Stderr)))
            {
                Assert.Matches(Priority(), line);
            }

            Assert.Contains(Lines(server.Stderr), l => l.StartsWith("<6>listening on 127.0.0.1:", StringComparison.Ordinal));
            Assert.Contains(Lines(server.Stderr), l => l.StartsWith("<6>summary: 1 connection(s)", StringComparison.Ordinal));
            Assert.Contains("<6>sending completed.", Lines(client.Stderr));
        }
    }

    [SkippableTheory]
    [InlineData("json", 2, "tcp-server", "--port", "0", "--no-such-option", "--log-format", "json")]
    [InlineData("json", 2, "--log-format=json", "tcp-client")]
    [InlineData("json", 1, "tcp-client", "127.0.0.1", "--port", "CLOSED", "--message", "hi", "--log-format", "json")]
    [InlineData("systemd", 2, "udp-time-client", "127.0.0.1", "--epoch", "mayan", "--log-format", "systemd")]
    [InlineData("systemd", 1, "tcp-client", "127.0.0.1", "--port", "CLOSED", "--message", "hi", "--log-format", "systemd")]
    public async Task Errors_UsageErrorsToo_AreOneLineInTheLogFormatAskedFor(string format, int code, params string[] arguments)
    {
        var closed = LocalPorts.FreeTcp().ToString(CultureInfo.InvariantCulture);
        using var process = netkit.Start([.. arguments.Select(a => a == "CLOSED" ? closed : a)]);
        process.CloseStdin();

        Assert.Equal(code, await process.WaitForExitAsync());
        var line = Assert.Single(Lines(process.Stderr));
        if (format == "systemd")
        {
            Assert.StartsWith("<3>netkit: error: ", line, StringComparison.Ordinal);
            return;
        }

        var error = Assert.Single(ParseEveryLine(process.Stderr));
        Assert.Equal("error", error.GetProperty("level").GetString());
        Assert.Equal("Error", Event(error));
        Assert.StartsWith("netkit: error: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(code, error.GetProperty("fields").GetProperty("exitCode").GetInt32());
    }

    [SkippableFact]
    public async Task UdpTimeClientJson_IsOneCompactLinePerReply_WithAnOffsetThatAllowsForTheWholeSeconds()
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "--host", "127.0.0.1", "--log-format", "json");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--json", "--log-format", "json");
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync());

            var reply = AssertTimeReport(client.Stdout, expectedLines: 1).Single();
            Assert.Equal($"127.0.0.1:{port}", reply.GetProperty("server").GetString());
            Assert.Contains(ParseEveryLine(client.Stderr), l => Event(l) == "Waiting");

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            var summary = Assert.Single(ParseEveryLine(server.Stderr), l => Event(l) == "Summary");
            Assert.Equal(1, summary.GetProperty("fields").GetProperty("replied").GetInt64());
        }
    }

    [SkippableFact]
    public async Task UdpTimeClientJsonBroadcast_IsOneLinePerResponder()
    {
        // Broadcast only inside a network namespace of our own (loopback alone, nobody else's
        // network): two servers sharing a port (SO_REUSEADDR) both answer 127.255.255.255.
        Skip.IfNot(Environment.IsPrivilegedProcess, "a network namespace needs root (unshare -n)");
        var unshare = Toolchain.Require("unshare");
        Toolchain.Require("ip");
        const string Script = """
            ip link set lo up || exit 90
            "$0" udp-time-server --host 0.0.0.0 --port 5037 --reuse-address 2>"$1.1" & first=$!
            "$0" udp-time-server --host 0.0.0.0 --port 5037 --reuse-address 2>"$1.2" & second=$!
            for i in $(seq 200); do [ "$(cat "$1.1" "$1.2" | grep -c listening)" = 2 ] && break; sleep 0.05; done
            "$0" udp-time-client 127.255.255.255 --port 5037 --broadcast --json --timeout 1s
            code=$?
            kill $first $second; wait
            rm -f "$1.1" "$1.2"
            exit $code
            """;
        var errors = Path.Combine(Path.GetTempPath(), $"netkit-broadcast-{Environment.ProcessId}");
        using var run = RunningProcess.Start(unshare, ["-n", "sh", "-c", Script, netkit.Path, errors]);
        run.CloseStdin();

        var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Skip.If(code == 90, "no loopback in a new network namespace here");
        Assert.True(code == 0, $"exit {code}: {run.Stderr}");
        var replies = AssertTimeReport(run.Stdout, expectedLines: 2);
        Assert.All(replies, r => Assert.Equal("127.0.0.1:5037", r.GetProperty("server").GetString()));
    }

    // A seed server with --reply, one tcp-client conversation, SIGTERM: listening, log lines, summary.
    private async Task<(RunningProcess Server, RunningProcess Client)> RunSessionAsync(string format)
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "WORD", "--log-format", format);
        server.CloseStdin();
        var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "hello", "--log-format", format);
        client.CloseStdin();
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Equal("hello\nI get it!\nWORD", client.Stdout);

        await server.WaitForStderrAsync(ClosedLine());
        await server.SignalAsync("TERM");
        Assert.Equal(0, await server.WaitForExitAsync());
        return (server, client);
    }

    /// <summary>JSON Lines of time readings: each line one compact object with the documented fields,
    /// and an offset no further from zero (server and client share this machine's clock) than it says.</summary>
    private static List<JsonElement> AssertTimeReport(string stdout, int expectedLines)
    {
        Assert.EndsWith("\n", stdout, StringComparison.Ordinal);
        var lines = stdout[..^1].Split('\n');
        Assert.Equal(expectedLines, lines.Length);
        var replies = new List<JsonElement>();
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var reply = json.RootElement.Clone();
            Assert.Equal("unix", reply.GetProperty("epoch").GetString());
            Assert.Equal(1, reply.GetProperty("resolutionSeconds").GetDouble());
            var offset = reply.GetProperty("offsetSeconds").GetDouble();
            var uncertainty = reply.GetProperty("offsetUncertaintySeconds").GetDouble();
            var roundTrip = reply.GetProperty("roundTripMs").GetDouble() / 1000;
            Assert.Equal(0.5 + roundTrip / 2, uncertainty, 3);
            Assert.True(Math.Abs(offset) <= uncertainty + 0.001, $"offset {offset} s beyond ±{uncertainty} s: {line}");
            Assert.Matches(Timestamp(), reply.GetProperty("localTime").GetString());
            replies.Add(reply);
        }

        return replies;
    }

    /// <summary>Every line of <paramref name="stderr"/> as JSON, each with the fields every line has.</summary>
    private static List<JsonElement> ParseEveryLine(string stderr)
    {
        var parsed = new List<JsonElement>();
        foreach (var line in Lines(stderr))
        {
            JsonElement element;
            try
            {
                using var json = JsonDocument.Parse(line);
                element = json.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"not a JSON line: {line}\n({e.Message})\nstderr was:\n{stderr}");
            }

            Assert.Equal(JsonValueKind.Object, element.ValueKind);
            Assert.Matches(Timestamp(), element.GetProperty("timestamp").GetString());
            Assert.Contains(element.GetProperty("level").GetString(), new[] { "trace", "debug", "info", "warning", "error", "critical" });
            Assert.False(string.IsNullOrEmpty(Event(element)));
            Assert.Equal(JsonValueKind.String, element.GetProperty("message").ValueKind);
            Assert.Equal(JsonValueKind.Object, element.GetProperty("fields").ValueKind);
            parsed.Add(element);
        }

        Assert.NotEmpty(parsed);
        return parsed;
    }

    private static string? Event(JsonElement line) => line.GetProperty("event").GetString();

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^<[0-7]>")]
    private static partial Regex Priority();

    [GeneratedRegex("operator input ended")]
    private static partial Regex OperatorInputEnded();

    [GeneratedRegex("#1 closed")]
    private static partial Regex ClosedLine();
}
