using System.Globalization;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// Socket activation as systemd does it, through <c>systemd-socket-activate</c>: it binds the port,
/// then execs netkit with the socket as fd 3 and LISTEN_PID/LISTEN_FDS set.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class SocketActivationTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task TcpServer_ServesOnTheSocketSystemdPassed()
    {
        var activate = Toolchain.Require("systemd-socket-activate");
        var port = LocalPorts.FreeTcp();
        using var server = RunningProcess.Start(activate, ["-l", $"127.0.0.1:{Invariant(port)}", netkit.Path, "tcp-server", "--reply", "W", "--once"]);
        server.CloseStdin();
        await LocalPorts.WaitForTcpListenerAsync(port);

        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--message", "hi");
        client.CloseStdin();
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Equal("hi\nI get it!\nW", client.Stdout);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains($"listening on 127.0.0.1:{Invariant(port)} (tcp)", server.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task UdpTimeServer_ServesOnTheDatagramSocketSystemdPassed()
    {
        var activate = Toolchain.Require("systemd-socket-activate");
        var port = LocalPorts.FreeUdp();
        using var server = RunningProcess.Start(activate, ["--datagram", "-l", $"127.0.0.1:{Invariant(port)}", netkit.Path, "udp-time-server", "--epoch", "rfc868"]);
        server.CloseStdin();
        await LocalPorts.WaitForUdpBindAsync(port);

        // The first datagram makes systemd-socket-activate exec netkit, which then answers it.
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--epoch", "rfc868", "--json");
        client.CloseStdin();
        Assert.Equal(0, await client.WaitForExitAsync());
        using var reply = System.Text.Json.JsonDocument.Parse(client.Stdout);
        Assert.Equal("rfc868", reply.RootElement.GetProperty("epoch").GetString());
        var year = DateTime.UtcNow.Year.ToString(CultureInfo.InvariantCulture);
        Assert.StartsWith(year, reply.RootElement.GetProperty("serverTime").GetString(), StringComparison.Ordinal);

        await server.WaitForStderrAsync(new Regex(@"listening on 127\.0\.0\.1:\d+ \(udp\)"));
        await server.SignalAsync("TERM");
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("summary: 1 request(s), 1 replied", server.Stderr, StringComparison.Ordinal);
    }

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);
}
