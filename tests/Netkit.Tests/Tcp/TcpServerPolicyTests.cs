using System.Net;
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
        long pushed = 0;
        var flood = Task.Run(async () =>
        {
            var junk = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    pushed += await hog.SendAsync(junk, SocketFlags.None, stop.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return e;
            }
        });

        // Backpressure: the server stops reading while its echo cannot be sent, so the flood stalls
        // after the socket buffers fill, far below what was offered.
        await Loopback.UntilAsync(() => running.Server.Snapshot().Single().BytesIn > 0);
        await Task.Delay(500);
        var stalledAt = running.Server.Counters.BytesIn;
        await Task.Delay(300);
        Assert.Equal(stalledAt, running.Server.Counters.BytesIn);
        Assert.True(stalledAt < 64 * 1024 * 1024, $"{stalledAt} bytes taken in");

        time.Advance(TimeSpan.FromSeconds(31));
        await Loopback.UntilAsync(() => running.Server.Counters.Drops(DropReason.SlowReader) == 1);
        var ended = await flood.WaitAsync(Loopback.Patience);
        Assert.IsType<SocketException>(ended);
    }

    [Fact]
    public async Task Words_for_a_client_that_does_not_read_are_bounded()
    {
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { OperatorWords = true, MaxQueuedWords = 4 });
        using var client = await Loopback.ConnectAsync(running.Port);
        await Loopback.UntilAsync(() => running.Server.Snapshot().Count == 1);
        var id = running.Server.Snapshot()[0].Id;
        var big = new byte[1 << 20];
        var sends = Enumerable.Range(0, 64).Select(_ => running.Server.SendWordAsync(id, big)).ToArray();
        await Task.Delay(500);

        // A few megabytes fit in the socket buffers and are sent; of the rest, at most four wait.
        var waiting = sends.Count(t => !t.IsCompleted);
        var refused = sends.Count(t => t.IsCompleted && !t.Result);
        Assert.InRange(waiting, 1, 4);
        Assert.True(refused >= 40, $"{refused} of 64 words refused, {waiting} waiting");
        client.Close(0);
        await Task.WhenAll(sends).WaitAsync(Loopback.Patience);
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
