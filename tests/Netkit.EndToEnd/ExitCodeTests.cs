using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>
/// The documented exit codes, each with its one-line <c>netkit: error: what: why</c> and never a
/// stack trace: 1 network, 2 usage, 3 timeout, 4 protocol, 6 cannot bind.
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

    /// <summary>Exactly one error line among the logs, in the documented form, and no stack trace.</summary>
    private static void AssertOneErrorLine(string stderr)
    {
        AssertNoStackTrace(stderr);
        var errors = Lines(stderr).Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith("netkit: error: ", error, StringComparison.Ordinal);
    }

    private static void AssertNoStackTrace(string stderr) =>
        Assert.DoesNotContain(Lines(stderr), l => l.StartsWith("   at ", StringComparison.Ordinal));

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.TrimEnd('\r'))
            .ToArray();

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);
}
