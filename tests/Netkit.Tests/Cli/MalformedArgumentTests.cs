using Netkit.Cli;

namespace Netkit.Tests.Cli;

/// <summary>
/// A generated set of malformed command lines — bad ports, durations, counts, sizes, CIDRs and
/// choices for every option that checks its value, unknown options, missing values, huge numbers,
/// text that is not valid UTF-16 (what invalid UTF-8 becomes) — each must exit 2 with exactly one
/// line on stderr and no stack trace.
/// </summary>
public sealed class MalformedArgumentTests
{
    private const string LoneSurrogate = "\uD800";

    private static readonly string[] BadPorts = ["-1", "65536", "abc", "", "1e3", "0x50", "99999999999999999999", "٣", "12 34", "+1", "4294967296", "80.5", LoneSurrogate];
    private static readonly string[] BadDurations = ["-1s", "5x", "NaN", "1e400", "25h", "1 s", "", "ms", "∞", "1.5.5s", "10d", LoneSurrogate,
        "1s1m", "1m1m", "30s5", "1m-5s", "24h1ms", "1h 2m", "1.m", "s1", "00:00:30", "\u001b[31m1s"];

    // What a client takes as HOST and a server as --host ("" is a server's every interface, so only
    // the clients get it).
    private static readonly string[] BadHosts = ["999.1.1.1", "1.2.3.256", "127.1", "[::1", "[::1]x", "[127.0.0.1]:80", "[host]:80", "a..b", ".a", "a-.b",
        "host name", "127.0.0.1:99999", "127.0.0.1:", "[::1]:abc", "::1::2", "1:2:3:4:5:6:7:8:9", new string('a', 300), "-", "--x", LoneSurrogate, "\u001b[31m", "010.0.0.1", "0x7f.1", "fe80::1%lo:7000"];
    private static readonly string[] BadCounts = ["-1", "0", "abc", "1.5", "99999999999", "", "1e2", "2147483648", LoneSurrogate];
    private static readonly string[] BadSizes = ["0", "-5", "2048m", "k", "1.5k", "", "9999999999999", LoneSurrogate];
    private static readonly string[] BadBlocks = ["010.0.0.0/8", "127.1", "fe80::1%lo", "10.0.0.0/8\u001b", "10.0.0.0/\u001b[31m", "10.0.0.1/8", "10.0.0.0/33", "host.example", "::/129", "", "1.2.3.4/-1", "300.1.1.1", LoneSurrogate];
    private static readonly string[] Unknown = ["--nope", "-z", "---port", "--PORT", "--port=", "-", "--bind-devices", "-pp", "--no-reuse", "-46"];

    private static readonly (string Command, string[] Leading, (string Option, string[] Values)[] Options)[] Commands =
    [
        ("tcp-server", [], [
            ("--port", BadPorts), ("--host", BadHosts), ("--backlog", BadCounts), ("--max-connections", BadCounts), ("--max-per-ip", BadCounts),
            ("--idle-timeout", BadDurations), ("--first-byte-timeout", BadDurations), ("--max-session", BadDurations),
            ("--send-timeout", BadDurations), ("--shutdown-timeout", BadDurations), ("--mode", ["x", "", "SEED", LoneSurrogate]),
            ("--keepalive-idle", BadDurations), ("--keepalive-count", BadCounts), ("--linger", BadDurations),
            ("--send-buffer", BadSizes), ("--receive-buffer", BadSizes), ("--allow", BadBlocks), ("--deny", BadBlocks),
            ("--keepalive-interval", BadDurations), ("--acl-check", ["not-an-address", "10.0.0.0/8", "", LoneSurrogate]),
            ("-v", ["loud", "", LoneSurrogate]), ("--log-format", ["xml", "", LoneSurrogate])]),
        ("tcp-client", ["127.0.0.1"], [
            ("--port", [.. BadPorts, "0"]), ("--connect-timeout", BadDurations), ("--timeout", BadDurations),
            ("--keepalive-interval", BadDurations), ("--keepalive-idle", BadDurations), ("--keepalive-count", BadCounts),
            ("--linger", BadDurations), ("--send-buffer", BadSizes), ("--receive-buffer", BadSizes)]),
        ("udp-time-server", [], [
            ("--port", BadPorts), ("--host", BadHosts), ("--epoch", ["auto", "1970", "", LoneSurrogate]), ("--rate-limit", BadCounts),
            ("--rate-burst", BadCounts), ("--send-buffer", BadSizes), ("--receive-buffer", BadSizes),
            ("--allow", BadBlocks), ("--deny", BadBlocks), ("--acl-check", ["not-an-address", "10.0.0.0/8", "", LoneSurrogate])]),
        ("udp-time-client", ["127.0.0.1"], [
            ("--port", [.. BadPorts, "0"]), ("--epoch", ["mayan", "", LoneSurrogate]), ("--timeout", BadDurations),
            ("--retries", ["-1", "101", "abc", "", LoneSurrogate]), ("--send-buffer", BadSizes), ("--receive-buffer", BadSizes)]),
    ];

    // The parser's own wording, which netkit replaces with its one-line style.
    private static readonly string[] ParserEnglish = ["Argument '", "Required argument", "not recognized", "Unrecognized", "expects a single", "Required command", "Cannot parse"];

    public static IEnumerable<string[]> Vectors()
    {
        foreach (var (command, leading, options) in Commands)
        {
            foreach (var (option, values) in options)
            {
                foreach (var value in values)
                {
                    yield return [command, .. leading, option, value];
                }

                yield return [command, .. leading, option]; // the value is missing
            }

            foreach (var unknown in Unknown)
            {
                yield return [command, .. leading, unknown];
            }
        }

        foreach (var unknown in Unknown.Concat(["tcp-serve", "TCP-SERVER", LoneSurrogate, "", new string('x', 100_000)]))
        {
            yield return [unknown];
        }

        foreach (var client in new[] { "tcp-client", "udp-time-client" })
        {
            foreach (var host in BadHosts.Append(""))
            {
                yield return [client, host];
            }

            // A port written into the host that --port contradicts, a literal of the other family,
            // an option the command does not have standing where the host goes.
            yield return [client, "127.0.0.1:7000", "--port", "8000"];
            yield return [client, "[::1]:7000", "-p", "7001"];
            yield return [client, "[::1]:7000", "-4"];
            yield return [client, "127.0.0.1", "-6"];
            yield return [client, "--host", "::1"];
            yield return [client, "--no-such-flag"];
        }

        yield return ["tcp-server", "--host", "::1", "-4"];
        yield return ["tcp-server", "--host", "127.0.0.1", "-6"];
        yield return ["udp-time-server", "--host", "127.0.0.1:7", "--port", "8"];
        yield return ["tcp-server", "--keepalive-idle", "0"];
        yield return ["tcp-server", "--port", "1", "--port", "2"];
        yield return ["udp-time-client", "127.0.0.1", "--broadcast", "--timeout", "0"];
        yield return ["tcp-server", "--mode", "seed", "--mode", "echo"];

        // Contradictions that each parse alone.
        yield return ["tcp-server", "-4", "-6"];
        yield return ["tcp-server", "--ack", "a", "--no-ack"];
        yield return ["tcp-server", "--mode", "echo", "--reply", "w"];
        yield return ["tcp-server", "--reuse-address", "--no-reuse-address"];
        yield return ["tcp-client", "127.0.0.1", "-i", "-m", "x"];
        yield return ["tcp-client", "a", "b"];
        yield return ["udp-time-server", "--rate-burst", "5"];
        yield return ["udp-time-client", "a", "b"];
    }

    [Fact]
    public void There_are_at_least_500_vectors()
    {
        Assert.True(Vectors().Count() >= 500, $"{Vectors().Count()} vectors");
    }

    [Fact]
    public async Task Every_malformed_vector_exits_2_with_one_line_and_no_stack_trace()
    {
        var failures = new List<string>();
        foreach (var vector in Vectors())
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code;
            try
            {
                code = await NetkitCli.RunAsync(vector, output, error).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                failures.Add($"[{string.Join(' ', vector)}] ran instead of failing to parse");
                continue;
            }

            var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (code != ExitCode.Usage || lines.Length != 1 || !lines[0].StartsWith("netkit: error: ", StringComparison.Ordinal)
                || error.ToString().Contains("   at ", StringComparison.Ordinal)
                || ParserEnglish.Any(p => lines[0].Contains(p, StringComparison.Ordinal))
                || lines[0].Any(c => char.IsControl(c) || char.IsSurrogate(c)))
            {
                failures.Add($"[{string.Join(' ', vector.Select(v => v.Length > 40 ? v[..40] + "…" : v))}] -> {code}: {error.ToString().Trim()}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
