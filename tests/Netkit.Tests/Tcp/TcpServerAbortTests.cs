using System.Net.Sockets;
using Netkit.Core.Tcp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Tcp;

public sealed class TcpServerAbortTests
{
    [Fact]
    public async Task Abort_resets_every_live_connection_at_once()
    {
        await using var server = await RunningTcpServer.StartAsync(new TcpServerOptions { AutoReply = "X"u8.ToArray() });
        using var first = await Loopback.ConnectAsync(server.Port);
        using var second = await Loopback.ConnectAsync(server.Port);
        await Loopback.UntilAsync(() => server.Server.Snapshot().Count == 2);

        server.Server.Abort();

        // Both ends see the connection go (a reset, or EOF where the reset raced the read).
        foreach (var client in new[] { first, second })
        {
            try
            {
                Assert.Empty(await Loopback.ReadToEndAsync(client));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
            }
        }

        await Loopback.UntilAsync(() => server.Server.Snapshot().Count == 0);
    }
}
