using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;

namespace Netkit.Tests.Support;

/// <summary>A <see cref="UdpTimeServer"/> on 127.0.0.1, port 0, stopped (bounded) on dispose.</summary>
internal sealed class RunningUdpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private RunningUdpServer(UdpTimeServer server)
    {
        Server = server;
        EndPoint = (IPEndPoint)server.LocalEndPoint;
        Run = server.RunAsync(_stop.Token);
    }

    public UdpTimeServer Server { get; }

    public IPEndPoint EndPoint { get; }

    public Task Run { get; }

    public static async Task<RunningUdpServer> StartAsync(UdpTimeServerOptions? options = null, TimeProvider? time = null)
    {
        var socket = await SocketBinder.BindUdpAsync(new ListenRequest("127.0.0.1", 0, AddressFamilyPreference.IPv4, new SocketSettings()), CancellationToken.None);
        return new RunningUdpServer(new UdpTimeServer(socket, options ?? new UdpTimeServerOptions(), NullLogger.Instance, time));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(Loopback.Patience);
        _stop.Dispose();
    }
}
