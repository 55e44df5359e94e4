using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// The command line means what it says (issue 9, items 1, 2 and 4): an unknown option is a usage
/// error, a port written into the host is used, an empty host is every interface for a server and
/// an error for a client, 0 is "never" for every timeout, durations are written as people write
/// them, and parse errors are netkit's own lines with the value escaped.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed partial class ArgumentTests(NetkitBinary netkit)
{
    [SkippableTheory]
    [InlineData("tcp-client", "--no-such-flag")]
    [InlineData("udp-time-client", "--no-such-flag")]
    [InlineData("tcp-client", "--host", "::1")]
    [InlineData("tcp-server", "--no-such-flag")]
    public async Task AnUnknownOption_IsAUsageError_NeverAHostName(params string[] arguments)
    {
        using var run = netkit.Start(arguments);
        run.CloseStdin();

        Assert.Equal(2, await run.WaitForExitAsync());
        var line = Assert.Single(Lines(run.Stderr));
        Assert.Matches(@"^netkit: error: unknown option '--(no-such-flag|host)'", line);
    }

    [SkippableTheory]
    [InlineData("127.0.0.1:{0}")]
    [InlineData("[::1]:{0}")]
    [InlineData("localhost:{0}")]
    public async Task APortWrittenIntoTheHost_IsTheOneUsed(string target)
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", "w");
        using (server)
        {
            using var client = netkit.Start("tcp-client", string.Format(CultureInfo.InvariantCulture, target, port), "-m", "hello");
            client.CloseStdin();

            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("hello\nI get it!\nw", client.Stdout);
        }
    }

    [SkippableFact]
    public async Task AnArgumentStartingWithAt_IsThatText_NeverAResponseFile()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", "@word");
        using (server)
        {
            // The file exists and names another port: it must not be read into the command line.
            var file = Path.Combine(Path.GetTempPath(), $"netkit-at-{Environment.ProcessId}.txt");
            await File.WriteAllTextAsync(file, "--port 1\n");
            try
            {
                using var client = netkit.Start("tcp-client", $"127.0.0.1:{port}", "-m", "@" + file);
                client.CloseStdin();

                Assert.Equal(0, await client.WaitForExitAsync());
                Assert.Equal("@" + file + "\nI get it!\n@word", client.Stdout);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    [SkippableFact]
    public async Task AnIPv4MappedAddress_IsTheIPv4Address()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "w");
        using (server)
        {
            using var client = netkit.Start("tcp-client", $"[::ffff:127.0.0.1]:{port}", "-m", "hi");
            client.CloseStdin();

            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("hi\nI get it!\nw", client.Stdout);
        }
    }

    [SkippableFact]
    public async Task TheErrorLine_IsTheLastLine_AfterEveryLogLine()
    {
        var port = LocalPorts.FreeTcp();
        for (var run = 0; run < 20; run++)
        {
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "-m", "x", "-v", "detailed", "--log-format", "systemd");
            client.CloseStdin();

            Assert.Equal(1, await client.WaitForExitAsync());
            var lines = Lines(client.Stderr);
            Assert.True(lines.Length >= 2, client.Stderr);
            Assert.StartsWith("<3>netkit: error: ", lines[^1], StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task APortInTheHost_ThatPortContradicts_IsAUsageError()
    {
        using var client = netkit.Start("tcp-client", "127.0.0.1:7000", "--port", "8000", "-m", "x");
        client.CloseStdin();

        Assert.Equal(2, await client.WaitForExitAsync());
        Assert.Contains("--port 8000 contradicts the port in '127.0.0.1:7000'", Assert.Single(Lines(client.Stderr)), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("tcp-client", "")]
    [InlineData("udp-time-client", "")]
    [InlineData("tcp-client", "999.1.1.1")]
    [InlineData("tcp-server", "--host", "999.1.1.1", "--port", "0")]
    [InlineData("tcp-server", "--host", "127.0.0.1", "-6", "--port", "0")]
    [InlineData("udp-time-server", "--host", "::1", "-4", "--port", "0")]
    [InlineData("tcp-client", "[::1]:7000", "-4")]
    [InlineData("tcp-server", "--host", "0x7f.1", "--port", "0")]
    [InlineData("tcp-client", "fe80::1%lo:7000")]
    [InlineData("tcp-client", "[fe80::1%nosuch0]:7000")]
    [InlineData("tcp-server", "--keepalive-idle", "1.5s", "--port", "0")]
    [InlineData("tcp-server", "--idle-timeout", "0.0001ms", "--port", "0")]
    [InlineData("tcp-server", "--allow", "010.0.0.0/8", "--acl-check", "8.8.8.8")] // octal: was 8.0.0.0/8, and allowed 8.8.8.8
    [InlineData("udp-time-client", "127.0.0.1", "--broadcast", "--timeout", "0")] // was "no reply within 0s" at once
    public async Task AnEmptyOrMalformedHost_IsAUsageError_BeforeAnythingIsResolved(params string[] arguments)
    {
        using var run = netkit.Start(arguments);
        run.CloseStdin();

        Assert.Equal(2, await run.WaitForExitAsync());
        Assert.StartsWith("netkit: error: ", Assert.Single(Lines(run.Stderr)), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AServersEmptyHost_IsEveryInterface_AsInTheTutorial()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--host", "", "--port", "0", "--reply", "w");
        using (server)
        {
            Assert.Contains($"listening on [::]:{port} (tcp)", server.Stderr, StringComparison.Ordinal);
            foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
            {
                using var socket = await Loopback.ConnectAsync(new IPEndPoint(address, port));
                await socket.SendAsync("hi"u8.ToArray());
                socket.Shutdown(SocketShutdown.Send);
                Assert.Equal("hi\nI get it!\nw", Encoding.UTF8.GetString(await Loopback.ReadToEndAsync(socket)));
            }
        }
    }

    [SkippableFact]
    public async Task ZeroMeansNever_ForEveryServerTimeout()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", "w",
            "--idle-timeout", "0", "--first-byte-timeout", "0", "--max-session", "0", "--send-timeout", "0");
        using (server)
        {
            // A client that says nothing. The old binary read every 0 as "at once" and closed it
            // within a second; here it must still be open (no FIN, no reset) after 2.5 s, and served.
            using var silent = await Loopback.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            var closed = await ClosedWithinAsync(silent, TimeSpan.FromSeconds(2.5));
            Assert.False(closed, "the server closed a client although every timeout is 0 (never)");

            await silent.SendAsync("late"u8.ToArray());
            silent.Shutdown(SocketShutdown.Send);
            Assert.Equal("late\nI get it!\nw", Encoding.UTF8.GetString(await Loopback.ReadToEndAsync(silent)));
            Assert.DoesNotContain("closed: idle", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task CompoundDurations_Parse_AndDurationsPrintAsPeopleWriteThem()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--shutdown-timeout", "1m30s");
        using (server)
        {
            // A client waiting for its word makes the stop wait, and say for how long.
            using var client = await Loopback.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await client.SendAsync("x"u8.ToArray());
            await server.WaitForStderrAsync(ChunkLine());
            await server.SignalAsync("TERM");
            await server.WaitForStderrAsync(DrainLine());
            client.Dispose();
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("stopping: waiting for 1 connection(s) (--shutdown-timeout 1m30s)", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableTheory]
    [InlineData("tcp-server")]
    [InlineData("tcp-client")]
    [InlineData("udp-time-server")]
    [InlineData("udp-time-client")]
    public async Task Help_ShowsEachDefaultOnce_InUnits(string command)
    {
        using var help = netkit.Start(command, "--help");
        help.CloseStdin();

        Assert.Equal(0, await help.WaitForExitAsync());
        // Up to the examples, which show a clock time as the time client prints it (time.ctime), not a duration.
        Assert.DoesNotMatch(@"\d\d:\d\d:\d\d", help.Stdout.Split("\nExamples:\n")[0]);
        foreach (var line in Lines(help.Stdout).Where(l => l.TrimStart().StartsWith('-')))
        {
            Assert.True(Regex.Matches(line, @"\(default|\[default:").Count <= 1, $"default said twice: {line}");
        }

        if (command is "tcp-server")
        {
            Assert.Contains("[default: 30s]", help.Stdout, StringComparison.Ordinal);
            Assert.Contains("[default: 5s]", help.Stdout, StringComparison.Ordinal);
        }
    }

    [SkippableTheory]
    [InlineData("--mode: 'bogus' is not one of seed, echo", "tcp-server", "--mode", "bogus")]
    [InlineData("--port: a value is required", "tcp-server", "--port")]
    [InlineData("--port is given more than once", "tcp-server", "--port", "1", "--port", "2")]
    [InlineData("--epoch: 'mayan' is not one of auto, unix, rfc868", "udp-time-client", "127.0.0.1", "--epoch", "mayan")]
    [InlineData("--port: '\\x1b[31m1' is not a port (1-65535)", "tcp-client", "127.0.0.1", "--port", "\u001b[31m1")]
    [InlineData("--idle-timeout: '1m30sx' is not a duration", "tcp-server", "--idle-timeout", "1m30sx")]
    public async Task ParseErrors_AreNetkitsOwnLine_WithTheValueEscaped(string expected, params string[] arguments)
    {
        using var run = netkit.Start(arguments);
        run.CloseStdin();

        Assert.Equal(2, await run.WaitForExitAsync());
        var line = Assert.Single(Lines(run.Stderr));
        Assert.StartsWith("netkit: error: " + expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Stderr);
    }

    // True if the peer closed or reset the connection within the bound.
    private static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan bound)
    {
        using var limit = new CancellationTokenSource(bound);
        try
        {
            var read = await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, limit.Token);
            return read == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"#\d+ .*:x")]
    private static partial Regex ChunkLine();

    [GeneratedRegex("stopping: waiting")]
    private static partial Regex DrainLine();
}
