using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Netkit.Core.Sockets;
using Netkit.Core.Tcp;

namespace Netkit.Tests.Support;

/// <summary>
/// A <see cref="TcpServer"/> on 127.0.0.1, port 0, stopped (bounded) on dispose. It runs on the
/// transport netkit uses by default here, one epoll loop on Linux; <c>NETKIT_TRANSPORT=async</c> runs
/// the same tests on the runtime's async sockets, the transport of other platforms (.ci/run does both).
/// </summary>
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

    /// <summary>The loops a test server gets: 1, or 0 (async) with NETKIT_TRANSPORT=async.</summary>
    public static int EventLoops => Environment.GetEnvironmentVariable("NETKIT_TRANSPORT") == "async" ? 0 : 1;

    public static async Task<RunningTcpServer> StartAsync(TcpServerOptions options, TimeProvider? time = null, int? loops = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var listener = await SocketBinder.ListenTcpAsync(new ListenRequest("127.0.0.1", 0, AddressFamilyPreference.IPv4, new SocketSettings()), 512, CancellationToken.None);
        return new RunningTcpServer(new TcpServer(listener, options with { EventLoops = loops ?? EventLoops }, logger ?? NullLogger.Instance, time));
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
