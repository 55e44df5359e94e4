using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Netkit.Core.Sockets;
using Netkit.Core.Tcp;

namespace Netkit.Tests.Support;

/// <summary>A <see cref="TcpServer"/> on 127.0.0.1, port 0, stopped (bounded) on dispose.</summary>
internal sealed class RunningTcpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private RunningTcpServer(TcpServer server)
    {
        Server = server;
        Port = ((IPEndPoint)server.LocalEndPoint).Port;
        Run = server.RunAsync(_stop.Token);
    }

    public TcpServer Server { get; }

    public int Port { get; }

    public Task Run { get; }

    public static async Task<RunningTcpServer> StartAsync(TcpServerOptions options, TimeProvider? time = null)
    {
        var listener = await SocketBinder.ListenTcpAsync(new ListenRequest("127.0.0.1", 0, AddressFamilyPreference.IPv4, new SocketSettings()), 512, CancellationToken.None);
        return new RunningTcpServer(new TcpServer(listener, options, NullLogger.Instance, time));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(Loopback.Patience);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
