using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Udp;

public sealed class UdpTimeTests
{
    private static readonly DateTimeOffset Moment = DateTimeOffset.Parse("2036-02-07T06:28:15Z");
    // Waits far longer than any test takes: a test either gets its answer at once or lets the
    // waits pass on a fake clock.
    private static readonly TimeQuery Patient = new() { Timeout = TimeSpan.FromSeconds(30), Retries = 2 };

    private static async Task<(UdpTimeServer Server, Task Run, CancellationTokenSource Stop)> StartAsync(TimeEpoch epoch, TimeProvider time)
    {
        var socket = await SocketBinder.BindUdpAsync(new ListenRequest("127.0.0.1", 0, AddressFamilyPreference.IPv4, new SocketSettings()), CancellationToken.None);
        var server = new UdpTimeServer(socket, new UdpTimeServerOptions { Epoch = epoch }, NullLogger.Instance, time);
        var stop = new CancellationTokenSource();
        return (server, server.RunAsync(stop.Token), stop);
    }

    private static async Task<byte[]> AskAsync(EndPoint server, byte[] request)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = new CancellationTokenSource(Loopback.Patience);
        await client.SendToAsync(request, SocketFlags.None, server, timeout.Token);
        var buffer = new byte[100];
        var result = await client.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
        return buffer[..result.ReceivedBytes];
    }

    [Theory]
    [InlineData(TimeEpoch.Unix, new byte[] { 0x7C, 0x55, 0x81, 0x7F })]
    [InlineData(TimeEpoch.Rfc868, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    public async Task Any_datagram_gets_four_big_endian_bytes(TimeEpoch epoch, byte[] expected)
    {
        var (server, run, stop) = await StartAsync(epoch, new FixedTime(Moment));
        foreach (var size in new[] { 0, 1, 100, 65_507 })
        {
            Assert.Equal(expected, await AskAsync(server.LocalEndPoint, new byte[size]));
        }

        await stop.CancelAsync();
        await run.WaitAsync(Loopback.Patience);
        Assert.Equal(4, server.Counters.Requests);
        Assert.Equal(4, server.Counters.Replies);
        Assert.Equal(0, server.Counters.Errors);
    }

    [Fact]
    public async Task Client_reads_what_the_server_sends()
    {
        var (server, run, stop) = await StartAsync(TimeEpoch.Rfc868, new FixedTime(Moment));
        var reading = await UdpTimeClient.QueryAsync((IPEndPoint)server.LocalEndPoint, Patient, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        Assert.Equal(uint.MaxValue, reading.Value);
        Assert.Equal((Moment, TimeEpoch.Rfc868), TimeDatagram.DecodeNearest(reading.Value, Moment.AddSeconds(1)));
        await stop.CancelAsync();
        await run.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task Client_retries_a_silent_server_then_times_out()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var time = new FakeTimeProvider();
        var started = time.GetUtcNow();
        var asking = UdpTimeClient.QueryAsync((IPEndPoint)silent.LocalEndPoint!, Patient, NullLogger.Instance, time, CancellationToken.None);

        // Waits of 30 s, 45 s and 67.5 s pass on the fake clock, in steps; no real minute elapses.
        await Loopback.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return asking.IsCompleted;
        });
        var failure = await Assert.ThrowsAsync<NetkitException>(() => asking);
        Assert.Equal(FailureKind.Timeout, failure.Kind);
        Assert.Contains("3 attempt(s) in 2m22.5s", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, CountDatagrams(silent));
        Assert.True(time.GetUtcNow() - started >= TimeSpan.FromSeconds(142.5), $"gave up after {time.GetUtcNow() - started} of the fake clock");
    }

    [Fact]
    public async Task Client_retries_after_the_first_wait_and_takes_the_answer_to_the_retry()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var time = new FakeTimeProvider();
        var started = time.GetUtcNow();
        var asking = UdpTimeClient.QueryAsync((IPEndPoint)server.LocalEndPoint!, Patient, NullLogger.Instance, time, CancellationToken.None);
        using var patience = new CancellationTokenSource(Loopback.Patience);
        var buffer = new byte[16];
        await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), patience.Token); // unanswered

        // The clock moves only until the retry arrives, so the retry's own wait never runs out.
        await Loopback.UntilAsync(() =>
        {
            if (server.Poll(0, SelectMode.SelectRead))
            {
                return true;
            }

            time.Advance(TimeSpan.FromSeconds(5));
            return false;
        });
        Assert.True(time.GetUtcNow() - started >= Patient.Timeout, $"retried after {time.GetUtcNow() - started} of the fake clock");
        var retry = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), patience.Token);
        await server.SendToAsync(new byte[] { 0, 0, 0, 7 }, SocketFlags.None, retry.RemoteEndPoint, patience.Token);

        var reading = await asking.WaitAsync(Loopback.Patience);
        Assert.Equal(7u, reading.Value);
        Assert.Equal(0, CountDatagrams(server));
    }

    [Fact]
    public async Task A_zero_timeout_waits_for_the_reply_however_long_it_takes()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var time = new FakeTimeProvider();
        var asking = UdpTimeClient.QueryAsync((IPEndPoint)server.LocalEndPoint!, Patient with { Timeout = TimeSpan.Zero }, NullLogger.Instance, time, CancellationToken.None);
        using var patience = new CancellationTokenSource(Loopback.Patience);
        var request = await server.ReceiveFromAsync(new byte[16], SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), patience.Token);

        time.Advance(TimeSpan.FromDays(1)); // 0 means never: a day later it still waits
        await server.SendToAsync(new byte[] { 0, 0, 0, 9 }, SocketFlags.None, request.RemoteEndPoint, patience.Token);
        Assert.Equal(9u, (await asking.WaitAsync(Loopback.Patience)).Value);
    }

    [Fact]
    public async Task Every_address_is_tried_until_one_answers()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (server, run, stop) = await StartAsync(TimeEpoch.Unix, new FixedTime(Moment));
        var time = new FakeTimeProvider();
        var asking = UdpTimeClient.QueryFirstAsync(
            [(IPEndPoint)silent.LocalEndPoint!, (IPEndPoint)server.LocalEndPoint], Patient, NullLogger.Instance, time, CancellationToken.None);

        // The clock moves until the second address is asked: the silent one's single wait runs out.
        await Loopback.UntilAsync(() =>
        {
            if (server.Counters.Requests > 0)
            {
                return true;
            }

            time.Advance(TimeSpan.FromSeconds(5));
            return false;
        });
        var reading = await asking.WaitAsync(Loopback.Patience);
        Assert.Equal(server.LocalEndPoint, reading.Server);
        Assert.Equal(1, CountDatagrams(silent)); // the first address got one try, no retries
        await stop.CancelAsync();
        await run.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task A_reply_of_the_wrong_length_is_a_protocol_error()
    {
        using var liar = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        liar.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var answering = Task.Run(async () =>
        {
            var buffer = new byte[16];
            var from = await liar.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
            await liar.SendToAsync(new byte[] { 1, 2, 0x1b }, SocketFlags.None, from.RemoteEndPoint);
        });
        var failure = await Assert.ThrowsAsync<BadTimeReplyException>(() =>
            UdpTimeClient.QueryAsync((IPEndPoint)liar.LocalEndPoint!, Patient, NullLogger.Instance, TimeProvider.System, CancellationToken.None));
        Assert.Equal(3, failure.Length);
        Assert.Equal(@"reply error 3: \x01\x02\x1b", failure.Message);
        await answering.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task A_reply_from_another_port_is_ignored()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var impostor = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        impostor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var answering = Task.Run(async () =>
        {
            var buffer = new byte[16];
            var from = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
            // Sent first, so it is queued first on loopback: the client must pass over it.
            await impostor.SendToAsync(new byte[] { 0, 0, 0, 1 }, SocketFlags.None, from.RemoteEndPoint);
            await server.SendToAsync(new byte[] { 0, 0, 0, 2 }, SocketFlags.None, from.RemoteEndPoint);
        });
        var reading = await UdpTimeClient.QueryAsync((IPEndPoint)server.LocalEndPoint!, Patient, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        Assert.Equal(2u, reading.Value);
        await answering.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_refused_at_once_not_waited_out()
    {
        var closed = ClosedPort();

        // The fake clock never moves: only the ICMP port-unreachable can end this query.
        var failure = await Assert.ThrowsAsync<NetkitException>(() =>
            UdpTimeClient.QueryAsync(closed, Patient, NullLogger.Instance, new FakeTimeProvider(), CancellationToken.None).WaitAsync(Loopback.Patience));
        Assert.Equal(FailureKind.Network, failure.Kind);
        Assert.Equal($"receive from {closed}: connection refused", failure.Message);
    }

    [Fact]
    public async Task A_refused_address_moves_on_to_the_next_and_the_last_refusal_is_the_error()
    {
        var (server, run, stop) = await StartAsync(TimeEpoch.Unix, new FixedTime(Moment));
        var time = new FakeTimeProvider();
        var reading = await UdpTimeClient.QueryFirstAsync([ClosedPort(), (IPEndPoint)server.LocalEndPoint], Patient, NullLogger.Instance, time, CancellationToken.None)
            .WaitAsync(Loopback.Patience);
        Assert.Equal(server.LocalEndPoint, reading.Server);
        await stop.CancelAsync();
        await run.WaitAsync(Loopback.Patience);

        var last = ClosedPort();
        var failure = await Assert.ThrowsAsync<NetkitException>(() =>
            UdpTimeClient.QueryFirstAsync([ClosedPort(), last], Patient, NullLogger.Instance, time, CancellationToken.None).WaitAsync(Loopback.Patience));
        Assert.Equal($"receive from {last}: connection refused", failure.Message);
    }

    // A loopback port that was free a moment ago: nothing listens there, so the kernel answers ICMP.
    private static IPEndPoint ClosedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }

    private static int CountDatagrams(Socket socket)
    {
        var count = 0;
        var buffer = new byte[16];
        // Available counts bytes, and these datagrams are empty: poll instead.
        while (socket.Poll(0, SelectMode.SelectRead))
        {
            socket.Receive(buffer);
            count++;
        }

        return count;
    }
}
