using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;
using Netkit.Core.Tcp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Tcp;

public sealed class TcpServerPolicyTests
{
    private static readonly TcpServerOptions Seed = new() { AutoReply = "W"u8.ToArray() };
    private static readonly int ReplyLength = "x\nI get it!\nW".Length;

    [Fact]
    public async Task A_denied_peer_is_reset_before_any_byte_is_read()
    {
        Assert.True(Cidr.TryParse("127.0.0.0/8", out var loopback, out _));
        await using var running = await RunningTcpServer.StartAsync(Seed with { Access = new AccessList([new AccessRule(false, loopback)]) });
        await AssertRefusedAsync(running.Port, "x"u8.ToArray());
        await Loopback.UntilAsync(() => running.Server.Counters.Drops(DropReason.Acl) == 1);
        Assert.Equal(0, running.Server.Counters.BytesIn);
        Assert.Equal(0, running.Server.Counters.Accepted);
    }

    [Fact]
    public async Task Max_per_ip_refuses_the_next_one_and_frees_the_slot_on_close()
    {
        await using var running = await RunningTcpServer.StartAsync(Seed with { MaxPerIp = 2 });
        using var one = await Served(running.Port);
        using (var two = await Served(running.Port))
        {
            await AssertRefusedAsync(running.Port, []);
            await Loopback.UntilAsync(() => running.Server.Counters.Drops(DropReason.MaxPerIp) == 1);
            two.Close();
        }

        await Loopback.UntilAsync(() => running.Server.Snapshot().Count == 1);
        using var three = await Served(running.Port);
    }

    [Fact]
    public async Task A_client_that_never_speaks_is_closed_after_the_first_byte_timeout()
    {
        var time = new FakeTimeProvider();
        await using var running = await RunningTcpServer.StartAsync(Seed with { FirstByteTimeout = TimeSpan.FromSeconds(5) }, time);
        using var silent = await Loopback.ConnectAsync(running.Port);
        using var talker = await Served(running.Port);
        await Loopback.UntilAsync(() => running.Server.Snapshot().Count == 2);
        time.Advance(TimeSpan.FromSeconds(6));
        await Loopback.UntilAsync(() => running.Server.Counters.Drops(DropReason.FirstByte) == 1);
        await Loopback.UntilAsync(() => running.Server.Snapshot().Count == 1);
        await talker.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await Loopback.ReadExactlyAsync(talker, ReplyLength);
    }

    [Fact]
    public async Task Max_session_closes_even_a_busy_client()
    {
        var time = new FakeTimeProvider();
        await using var running = await RunningTcpServer.StartAsync(Seed with { MaxSession = TimeSpan.FromMinutes(1) }, time);
        using var busy = await Served(running.Port);
        time.Advance(TimeSpan.FromSeconds(61));
        await Loopback.UntilAsync(() => running.Server.Counters.Drops(DropReason.MaxSession) == 1);
    }

    [Fact]
    public async Task A_client_that_floods_without_reading_is_paused_then_cut_off()
    {
        var time = new FakeTimeProvider();
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { Mode = TcpServerMode.Echo, SendTimeout = TimeSpan.FromSeconds(30) }, time);
        using var hog = await Loopback.ConnectAsync(running.Port);
        hog.ReceiveBufferSize = 64 * 1024;
        using var stop = new CancellationTokenSource(Loopback.Patience);
        var flood = Task.Run(async () =>
        {
            var junk = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    await hog.SendAsync(junk, SocketFlags.None, stop.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return e;
            }
        });

        // The clock moves 31 s at each look: the sweep cuts the hog off at the first look that finds
        // the server's send to it blocked (and not merely under way) for longer than --send-timeout.
        // The connection may not be in the table yet when the first check runs: none is "not yet".
        await Loopback.UntilAsync(() => running.Server.Snapshot() is [{ BytesIn: > 0 }]);
        await Loopback.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(31));
            return running.Server.Counters.Drops(DropReason.SlowReader) == 1;
        });

        // Backpressure: while its echo could not be sent the server read no more, so what it took in
        // is what the socket buffers hold — a few megabytes, not the flood offered meanwhile.
        var takenIn = running.Server.Counters.BytesIn;
        Assert.True(takenIn < 64 * 1024 * 1024, $"{takenIn} bytes taken in");
        var ended = await flood.WaitAsync(Loopback.Patience);
        Assert.IsType<SocketException>(ended);
    }

    private static async Task<Socket> Served(int port)
    {
        var socket = await Loopback.ConnectAsync(port);
        await socket.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await Loopback.ReadExactlyAsync(socket, ReplyLength);
        return socket;
    }

    private static async Task AssertRefusedAsync(int port, byte[] message)
    {
        try
        {
            using var socket = await Loopback.ConnectAsync(port);
            if (message.Length > 0)
            {
                await socket.SendAsync(message, SocketFlags.None);
            }

            Assert.Empty(await Loopback.ReadToEndAsync(socket));
        }
        catch (SocketException e)
        {
            Assert.True(e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted, e.SocketErrorCode.ToString());
        }
    }
}
