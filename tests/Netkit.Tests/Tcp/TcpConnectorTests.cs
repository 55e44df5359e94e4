using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core.Sockets;
using Netkit.Core.Tcp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Tcp;

public sealed class TcpConnectorTests
{
    [Fact]
    public async Task A_zero_connect_timeout_means_no_limit()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        using var socket = await TcpConnector.ConnectAsync("127.0.0.1", port, AddressFamilyPreference.Any, new SocketSettings(), TimeSpan.Zero, NullLogger.Instance, new FakeTimeProvider(), CancellationToken.None)
            .WaitAsync(Loopback.Patience);
        Assert.True(socket.Connected);
    }
}
