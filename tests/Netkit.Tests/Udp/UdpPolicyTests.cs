using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;
using Netkit.Core.Udp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Udp;

public sealed class UdpPolicyTests
{
    // Admission reads the sender's raw sockaddr in both receive loops: recvmmsg's (batching, on
    // Linux) and a SocketAddress's (recvfrom, everywhere).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Bursts_beyond_the_rate_limit_are_dropped_and_counted_exactly(bool batching)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T00:00:00Z"));
        await using var running = await RunningUdpServer.StartAsync(new UdpTimeServerOptions { RateLimit = 5, RateBurst = 10, Batching = batching }, time);
        using var client = Connected(running.EndPoint);
        for (var i = 0; i < 100; i++)
        {
            client.Send(Array.Empty<byte>());
        }

        await Loopback.UntilAsync(() => running.Server.Counters.Requests == 100);
        Assert.Equal(10, running.Server.Counters.Replies);
        Assert.Equal(90, running.Server.Counters.Drops(DropReason.RateLimit));
        Assert.Equal(10, Drain(client));

        time.Advance(TimeSpan.FromSeconds(1)); // five more tokens
        for (var i = 0; i < 20; i++)
        {
            client.Send(Array.Empty<byte>());
        }

        await Loopback.UntilAsync(() => running.Server.Counters.Requests == 120);
        Assert.Equal(15, running.Server.Counters.Replies);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Privileged_source_ports_are_not_answered_unless_allowed(bool batching)
    {
        using var privileged = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            privileged.Bind(new IPEndPoint(IPAddress.Loopback, 0 + FreePrivilegedPort()));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            Skip.If(true, "binding a port below 1024 needs root");
        }

        await using (var guarded = await RunningUdpServer.StartAsync(new UdpTimeServerOptions { Batching = batching }))
        {
            privileged.SendTo(Array.Empty<byte>(), guarded.EndPoint);
            await Loopback.UntilAsync(() => guarded.Server.Counters.Drops(DropReason.PrivilegedPort) == 1);
            Assert.Equal(0, guarded.Server.Counters.Replies);
        }

        await using var open = await RunningUdpServer.StartAsync(new UdpTimeServerOptions { AllowPrivilegedPorts = true, Batching = batching });
        privileged.SendTo(Array.Empty<byte>(), open.EndPoint);
        await Loopback.UntilAsync(() => open.Server.Counters.Replies == 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Denied_sources_get_nothing(bool batching)
    {
        Assert.True(Cidr.TryParse("127.0.0.0/8", out var loopback, out _));
        await using var running = await RunningUdpServer.StartAsync(new UdpTimeServerOptions { Access = new AccessList([new AccessRule(false, loopback)]), Batching = batching });
        using var client = Connected(running.EndPoint);
        client.Send([1, 2, 3]);
        await Loopback.UntilAsync(() => running.Server.Counters.Drops(DropReason.Acl) == 1);
        Assert.Equal(0, running.Server.Counters.Replies);
    }

    [Fact]
    public async Task Empty_tiny_huge_and_random_datagrams_are_all_answered_with_four_bytes()
    {
        await using var running = await RunningUdpServer.StartAsync();
        using var client = Connected(running.EndPoint);
        client.ReceiveTimeout = 5000;
        var random = new Random(868);
        var sizes = new[] { 0, 1, 65_507 }.Concat(Enumerable.Range(0, 50).Select(_ => random.Next(0, 2000))).ToArray();
        var reply = new byte[64];
        foreach (var size in sizes)
        {
            var datagram = new byte[size];
            random.NextBytes(datagram);
            client.Send(datagram);
            Assert.Equal(4, client.Receive(reply));
        }

        // The counters move just after each send, so the last one may still be on its way.
        await Loopback.UntilAsync(() => running.Server.Counters.Replies == sizes.Length);
        Assert.Equal(sizes.Length, running.Server.Counters.Requests);
        Assert.Equal(0, running.Server.Counters.Errors);
    }

    private static Socket Connected(IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        return socket;
    }

    private static int Drain(Socket socket)
    {
        var count = 0;
        var buffer = new byte[16];
        while (socket.Poll(200_000, SelectMode.SelectRead))
        {
            socket.Receive(buffer);
            count++;
        }

        return count;
    }

    private static int FreePrivilegedPort()
    {
        for (var port = 1023; port > 600; port--)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
            }
        }

        return 0;
    }
}
