using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>tcp-client when the server, not the user, ends the conversation.</summary>
[Collection(NetkitCollection.Name)]
public sealed class ClientTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task ServerClosesWhileStdinIsStillOpen_ClientPrintsAllAndExitsAtOnce()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            var buffer = new byte[64];
            await peer.ReceiveAsync(buffer, SocketFlags.None);
            await peer.SendAsync("bye"u8.ToArray(), SocketFlags.None);
            peer.Shutdown(SocketShutdown.Both);
        });

        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture));
        client.Write("hi\n"); // stdin stays open: the user could still type
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"exited after {clock.Elapsed}");
        Assert.Equal("bye", client.Stdout);
        await serving.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
