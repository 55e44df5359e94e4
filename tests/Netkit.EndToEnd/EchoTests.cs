using System.Globalization;

namespace Netkit.EndToEnd;

/// <summary>
/// netkit against itself in echo mode (RFC 862) over IPv6 loopback: the client is binary safe
/// from stdin to stdout, and the dual-stack server answers on <c>::1</c>.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class EchoTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task EchoServer_ReturnsEveryByteValueVerbatim_ToClientOverIpv6()
    {
        Skip.IfNot(System.Net.Sockets.Socket.OSSupportsIPv6, "IPv6 is off on this machine");
        var payload = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--mode", "echo", "--once");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "::1", "--port", port.ToString(CultureInfo.InvariantCulture));
            client.Write(payload);
            client.CloseStdin();

            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal(payload, client.StdoutBytes);
            Assert.Equal(0, await server.WaitForExitAsync());
        }
    }
}
