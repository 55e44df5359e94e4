using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>
/// The documented exit codes, each with its one-line <c>netkit: error: what: why</c> and never a
/// stack trace: 1 network, 2 usage, 3 timeout, 4 protocol, 6 cannot bind, 7 cannot write output
/// (and a broken pipe on stdout, which is not an error: 0, nothing said).
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class ExitCodeTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task TcpClientToClosedPort_Exits1()
    {
        var port = LocalPorts.FreeTcp();
        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--message", "hi");
        client.CloseStdin();

        Assert.Equal(1, await client.WaitForExitAsync());
        AssertOneErrorLine(client.Stderr);
    }

    [SkippableFact]
    public async Task UdpTimeClientToSilentPort_Exits3()
    {
        // Bound but never answering: no ICMP port-unreachable, so only the timeout can end the wait.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)silent.LocalEndPoint!).Port;

        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--timeout", "200ms", "--retries", "1");
        client.CloseStdin();

        // Two tries of 200 ms plus backoff: well under the 5 s allowed here.
        Assert.Equal(3, await client.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        AssertOneErrorLine(client.Stderr);
    }

    [SkippableFact]
    public async Task UdpTimeClientGettingThreeBytes_Exits4WithReplyError()
    {
        var port = LocalPorts.FreeUdp();
        using var server = Tutorial.StartPython("shortreplyudp.py", Invariant(port));
        await LocalPorts.WaitForUdpBindAsync(port);

        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port));
        client.CloseStdin();

        // A bad reply is an answer, not a loss: no retry, no waiting for the timeout.
        Assert.Equal(4, await client.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("reply error 3:", client.Stderr, StringComparison.Ordinal);
        Assert.Empty(client.Stdout);
        AssertNoStackTrace(client.Stderr);
    }

    [SkippableFact]
    public async Task SecondTcpServerOnBusyPort_Exits6()
    {
        var (first, port) = await netkit.StartServerAsync("tcp-server", "--port", "0");
        using (first)
        {
            using var second = netkit.Start("tcp-server", "--port", Invariant(port));
            second.CloseStdin();

            // Binding fails at once; a second server that starts serving would otherwise hang here.
            Assert.Equal(6, await second.WaitForExitAsync(TimeSpan.FromSeconds(5)));
            AssertOneErrorLine(second.Stderr);
        }
    }

    [SkippableTheory]
    [InlineData("tcp-server", "--port", "70000")]
    [InlineData("tcp-server", "--port", "abc")]
    [InlineData("udp-time-server", "--port", "-1")]
    [InlineData("tcp-server", "--port", "0", "--no-such-option")]
    [InlineData("tcp-server", "--port", "0", "--idle-timeout", "5parsecs")]
    [InlineData("tcp-client", "127.0.0.1", "--connect-timeout", "soon")]
    [InlineData("udp-time-client", "127.0.0.1", "--timeout", "2 s")]
    [InlineData("udp-time-client", "127.0.0.1", "--epoch", "mayan")]
    [InlineData("no-such-command")]
    public async Task BadArguments_Exit2WithOneErrorLine(params string[] arguments)
    {
        using var netkitProcess = netkit.Start(arguments);
        netkitProcess.CloseStdin();

        Assert.Equal(2, await netkitProcess.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        var line = Assert.Single(Lines(netkitProcess.Stderr));
        Assert.StartsWith("netkit: error:", line, StringComparison.Ordinal);
    }

    private const string Full = "No space left on device";
    private const string Closed = "Bad file descriptor";

    [SkippableTheory]
    [InlineData("\"$0\" --help >/dev/full", Full)]
    [InlineData("\"$0\" --version >&-", Closed)]
    [InlineData("\"$0\" sockopts >/dev/full", Full)]
    [InlineData("\"$0\" sockopts --json >/dev/full", Full)]
    [InlineData("\"$0\" sockopts --json >&-", Closed)]
    [InlineData("\"$0\" tcp-server --acl-check 10.0.0.1 >/dev/full", Full)]
    public async Task StdoutFullOrClosed_Exits7WithOneLine(string script, string why)
    {
        using var shell = netkit.StartShell(script);
        shell.CloseStdin();

        Assert.Equal(7, await shell.WaitForExitAsync());
        AssertOutputError(shell.Stderr, why);
    }

    [SkippableFact]
    public async Task LoopsThatCannotStart_Exit5BeforeTheListeningLine()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "epoll loops are Linux's");
        Skip.If(NetkitBinary.IsEmulated, "the emulator's own descriptors share the limit");

        // Found by a hostile pass: the loops were made after 'listening on' was printed, so a
        // supervisor waiting for that line saw a server that then died.
        using var shell = netkit.StartShell("ulimit -n 64 && exec \"$0\" tcp-server --port 0 --host 127.0.0.1 --loops 200");
        shell.CloseStdin();

        Assert.Equal(5, await shell.WaitForExitAsync());
        Assert.DoesNotContain("listening on", shell.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"^netkit: error: cannot start 200 event loop\(s\) \(--loops\): (eventfd|epoll_create1): too many open files; each takes two descriptors\n$", shell.Stderr);
    }

    [SkippableTheory]
    [InlineData(">/dev/full", Full)]
    [InlineData(">&-", Closed)]
    public async Task TcpClientWithStdoutFullOrClosed_Exits7WithOneLine(string redirection, string why)
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "X");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.StartShell($"\"$0\" tcp-client 127.0.0.1 --port \"$1\" -m hello {redirection}", Invariant(port));
            client.CloseStdin();

            Assert.Equal(7, await client.WaitForExitAsync());
            AssertOutputError(client.Stderr, why);

            // With stdout closed at start, descriptor 1 must not have become the client's socket:
            // the server got "hello" and nothing of what the client tried to print.
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("summary: 1 connection(s), 0 rejected, 5 bytes in,", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableTheory]
    [InlineData(">/dev/full", Full)]
    [InlineData(">&-", Closed)]
    [InlineData("--json >&-", Closed)]
    public async Task UdpTimeClientWithStdoutFullOrClosed_Exits7WithOneLine(string redirection, string why)
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "--host", "127.0.0.1");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.StartShell($"\"$0\" udp-time-client 127.0.0.1 --port \"$1\" {redirection}", Invariant(port));
            client.CloseStdin();

            Assert.Equal(7, await client.WaitForExitAsync());
            AssertOutputError(client.Stderr, why);

            // One request, one reply: nothing meant for stdout went out as a datagram instead.
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("summary: 1 request(s), 1 replied,", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task TcpClientIntoAPipeThatCloses_EndsQuietlyWith0()
    {
        // An echo server and endless input: only the closed pipe can end this client.
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.StartShell(
                "exec 3>&1; { \"$0\" tcp-client 127.0.0.1 --port \"$1\" </dev/zero; echo \"netkit exit $?\" >&3; } | head -c 10 >/dev/null",
                Invariant(port));
            client.CloseStdin();

            Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal("netkit exit 0\n", client.Stdout);
            Assert.Equal("", client.Stderr);
        }
    }

    [SkippableFact]
    public async Task SockoptsIntoHeadOne_EndsQuietlyWith0()
    {
        using var shell = netkit.StartShell("exec 3>&1; { \"$0\" sockopts; echo \"netkit exit $?\" >&3; } | head -1");
        shell.CloseStdin();

        // head's line and the exit status may come in either order.
        Assert.Equal(0, await shell.WaitForExitAsync());
        Assert.Contains(Lines(shell.Stdout), l => l.StartsWith("option ", StringComparison.Ordinal));
        Assert.Contains("netkit exit 0", Lines(shell.Stdout));
        Assert.Equal("", shell.Stderr);
    }

    /// <summary>The one stdout error line, no stack trace, nothing about an unhandled exception.</summary>
    private static void AssertOutputError(string stderr, string why)
    {
        Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
        AssertOneErrorLine(stderr);
        Assert.Contains("netkit: error: stdout: " + why, Lines(stderr));
    }

    /// <summary>Exactly one error line among the logs, in the documented form, and no stack trace.</summary>
    private static void AssertOneErrorLine(string stderr)
    {
        AssertNoStackTrace(stderr);
        var errors = Lines(stderr).Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith("netkit: error: ", error, StringComparison.Ordinal);
    }

    // On the raw text: Lines trims, and a frame's indentation is what marks it.
    private static void AssertNoStackTrace(string stderr) =>
        Assert.DoesNotContain(stderr.Split('\n'), l => l.StartsWith("   at ", StringComparison.Ordinal));

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.TrimEnd('\r'))
            .ToArray();

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);
}
