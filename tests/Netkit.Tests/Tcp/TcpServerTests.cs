using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Tcp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Tcp;

public sealed class TcpServerTests
{
    private static readonly TcpServerOptions Seed = new() { AutoReply = "WORD"u8.ToArray() };

    [Fact]
    public async Task The_suite_runs_on_the_transport_it_was_asked_for()
    {
        await using var running = await RunningTcpServer.StartAsync(Seed);
        var expected = RunningTcpServer.EventLoops > 0 && OperatingSystem.IsLinux() ? "epoll, 1 loop(s)" : "async";
        Assert.Equal(expected, running.Server.Transport);
    }

    [Fact]
    public async Task Seed_conversation_is_byte_exact_and_the_half_close_is_honoured()
    {
        await using var running = await RunningTcpServer.StartAsync(Seed);
        var reply = await Loopback.ConverseAsync(running.Port, "hello"u8.ToArray());
        Assert.Equal("hello\nI get it!\nWORD", Encoding.UTF8.GetString(reply));
        Assert.Equal(1, running.Server.Counters.Accepted);
    }

    [Fact]
    public async Task Custom_ack_and_no_ack()
    {
        await using (var running = await RunningTcpServer.StartAsync(new TcpServerOptions { AckFrame = SeedReply.FrameAck("ok"), AutoReply = "w"u8.ToArray() }))
        {
            Assert.Equal("x\nok\nw", Encoding.UTF8.GetString(await Loopback.ConverseAsync(running.Port, "x"u8.ToArray())));
        }

        await using (var running = await RunningTcpServer.StartAsync(new TcpServerOptions { AckFrame = ReadOnlyMemory<byte>.Empty }))
        {
            Assert.Equal("x", Encoding.UTF8.GetString(await Loopback.ConverseAsync(running.Port, "x"u8.ToArray())));
        }
    }

    [Fact]
    public async Task Fifty_clients_are_served_while_one_never_reads()
    {
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { Mode = TcpServerMode.Echo });

        // The hog floods without reading: its own socket buffers fill, the server's send to it blocks,
        // and that must stall nobody else.
        using var hog = await Loopback.ConnectAsync(running.Port);
        using var hogStop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            var junk = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    await hog.SendAsync(junk, SocketFlags.None, hogStop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
            }
        });

        // The hog is being served (and flooding) before the others come.
        await Loopback.UntilAsync(() => running.Server.Counters.BytesIn > 1 << 20);

        var clients = Enumerable.Range(0, 49).Select(async i =>
        {
            var message = Encoding.UTF8.GetBytes($"client {i} says hi");
            Assert.Equal(message, await Loopback.ConverseAsync(running.Port, message));
        });
        await Task.WhenAll(clients).WaitAsync(Loopback.Patience);
        Assert.Equal(50, running.Server.Counters.Accepted);

        await hogStop.CancelAsync();
        hog.Close(0);
        await flood.WaitAsync(Loopback.Patience);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Three_loops_share_the_clients_and_each_gets_its_own_bytes_back(bool acceptOnEveryLoop)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "epoll loops are Linux's");
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { Mode = TcpServerMode.Echo, AcceptOnEveryLoop = acceptOnEveryLoop }, loops: 3);
        Assert.Equal("epoll, 3 loop(s)", running.Server.Transport);
        var clients = Enumerable.Range(0, 30).Select(async i =>
        {
            var data = new byte[256 * 1024];
            new Random(i).NextBytes(data);
            using var client = await Loopback.ConnectAsync(running.Port);
            var reading = Loopback.ReadToEndAsync(client);
            await client.SendAsync(data, SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(data, await reading);
        });
        await Task.WhenAll(clients).WaitAsync(Loopback.Patience);
        Assert.Equal(30, running.Server.Counters.Accepted);
        Assert.Equal(30L * 256 * 1024, running.Server.Counters.BytesOut);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Loops_accepting_at_once_never_admit_more_than_max_connections(bool acceptOnEveryLoop)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "epoll loops are Linux's");
        const int limit = 10;
        await using var running = await RunningTcpServer.StartAsync(
            new TcpServerOptions { Mode = TcpServerMode.Echo, MaxConnections = limit, AcceptOnEveryLoop = acceptOnEveryLoop }, loops: 3);
        var clients = new List<Socket>();
        try
        {
            // Every client learns its fate: an echo (served), or a reset or the end of the stream
            // (refused, at once: even the connect may see the reset).
            var served = 0;
            await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                lock (clients)
                {
                    clients.Add(client);
                }

                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, running.Port);
                    await client.SendAsync("x"u8.ToArray(), SocketFlags.None);
                    var buffer = new byte[1];
                    if (await client.ReceiveAsync(buffer, SocketFlags.None) == 1)
                    {
                        Interlocked.Increment(ref served);
                    }
                }
                catch (SocketException)
                {
                    // Refused.
                }
            })).WaitAsync(Loopback.Patience);

            Assert.Equal(limit, served);
            Assert.Equal(limit, running.Server.Counters.Accepted);
            Assert.Equal(40 - limit, running.Server.Counters.Rejected);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task Echo_returns_a_megabyte_verbatim()
    {
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { Mode = TcpServerMode.Echo });
        var data = new byte[1 << 20];
        new Random(862).NextBytes(data);
        using var client = await Loopback.ConnectAsync(running.Port);
        var reading = Loopback.ReadToEndAsync(client);
        await client.SendAsync(data, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(data, await reading);
    }

    [Fact]
    public async Task Once_serves_one_client_then_stops()
    {
        await using var running = await RunningTcpServer.StartAsync(Seed with { Once = true });
        await Loopback.ConverseAsync(running.Port, "a"u8.ToArray());
        await running.Run.WaitAsync(Loopback.Patience);
        await Assert.ThrowsAnyAsync<SocketException>(() => Loopback.ConnectAsync(running.Port));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_closed_and_counted()
    {
        await using var running = await RunningTcpServer.StartAsync(Seed with { MaxConnections = 1 });
        using var first = await Loopback.ConnectAsync(running.Port);
        await first.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await Loopback.ReadExactlyAsync(first, "x\nI get it!\nWORD".Length);

        // The refused connection is reset at once: seen as a reset on connect or on the first read.
        try
        {
            using var second = await Loopback.ConnectAsync(running.Port);
            Assert.Empty(await Loopback.ReadToEndAsync(second));
        }
        catch (SocketException e)
        {
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        }

        await Loopback.UntilAsync(() => running.Server.Counters.Rejected == 1);
        Assert.Equal(1, running.Server.Counters.Rejected);
    }

    [Fact]
    public async Task Idle_connections_are_closed_and_busy_ones_survive()
    {
        // Time is the test's: the server's sweep runs when the fake clock moves, so a busy machine
        // cannot make the busy client look idle.
        var time = new FakeTimeProvider();
        await using var running = await RunningTcpServer.StartAsync(Seed with { IdleTimeout = TimeSpan.FromSeconds(1) }, time);
        using var idle = await Loopback.ConnectAsync(running.Port);
        using var busy = await Loopback.ConnectAsync(running.Port);
        await Loopback.UntilAsync(() => running.Server.Snapshot().Count == 2);
        var idleEnd = ReadUntilClosedAsync(idle);

        for (var i = 0; i < 8; i++)
        {
            await busy.SendAsync("p"u8.ToArray(), SocketFlags.None);
            await Loopback.ReadExactlyAsync(busy, "p\nI get it!\nWORD".Length);
            time.Advance(TimeSpan.FromMilliseconds(300));
        }

        Assert.Equal(0, await idleEnd.WaitAsync(Loopback.Patience));
        Assert.Equal(1, running.Server.Counters.Drops(DropReason.Idle));
        busy.Shutdown(SocketShutdown.Send);
        Assert.Empty(await Loopback.ReadToEndAsync(busy));
    }

    private static async Task<int> ReadUntilClosedAsync(Socket socket)
    {
        try
        {
            return (await Loopback.ReadToEndAsync(socket)).Length;
        }
        catch (SocketException)
        {
            return 0; // reset: also closed
        }
    }

    [Fact]
    public async Task Stopping_resets_connections_left_after_the_shutdown_timeout()
    {
        var running = await RunningTcpServer.StartAsync(Seed with { ShutdownTimeout = TimeSpan.FromMilliseconds(200) });
        using var lingering = await Loopback.ConnectAsync(running.Port);
        await lingering.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await Loopback.ReadExactlyAsync(lingering, "x\nI get it!\nWORD".Length);
        var reading = Loopback.ReadToEndAsync(lingering);
        await running.StopAsync();
        Assert.True(running.Run.IsCompletedSuccessfully);

        // Not a FIN (that would read as a polite end): a reset, so the client knows it was cut off.
        var reset = await Assert.ThrowsAsync<SocketException>(() => reading);
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
        await running.DisposeAsync();
    }
}
