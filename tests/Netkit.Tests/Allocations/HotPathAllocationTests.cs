using System.Net;
using System.Net.Sockets;
using Netkit.Core.Tcp;
using Netkit.Core.Udp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Allocations;

/// <summary>
/// The socket core's promise: serving a message allocates nothing in steady state. The clients here
/// use blocking socket calls on their own thread, which allocate nothing either, so the process-wide
/// count of allocated bytes over many messages measures the server. The bound allows the runtime's
/// own occasional bookkeeping (thread pool, timers), far below one byte per message. The test host
/// itself allocates now and then in the background (reporting results), so the figure kept is the
/// lowest of five rounds.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class HotPathAllocationTests
{
    private const int WarmUp = 2_000;
    private const int Measured = 20_000;
    // One object per message would be at least 24 bytes x 20,000 = 480,000 bytes; the bound is a
    // seventh of that, room for the runtime's own rare allocations (its event buffers, timers).
    private const long Bound = 64 * 1024;

    [Fact]
    public async Task Echo_mode_allocates_nothing_per_message()
    {
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { Mode = TcpServerMode.Echo });
        using var sampler = new AllocationSampler();
        var allocated = await MeasureTcpAsync(running.Port, "ping-32-bytes-of-echo-payload..."u8.ToArray(), 32);
        Assert.True(allocated < Bound, $"{allocated} bytes allocated over {Measured} echoed messages: {sampler.Top(8)}");
    }

    [Fact]
    public async Task Seed_mode_allocates_nothing_per_message()
    {
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { AutoReply = "W"u8.ToArray() });
        using var sampler = new AllocationSampler();
        var allocated = await MeasureTcpAsync(running.Port, "chunk"u8.ToArray(), "chunk\nI get it!\nW".Length);
        Assert.True(allocated < Bound, $"{allocated} bytes allocated over {Measured} seed replies: {sampler.Top(8)}");
    }

    // Both receive loops: batching (recvmmsg/sendmmsg, 64-bit Linux) and the portable
    // recvfrom/sendto loop that serves everywhere else and under debug logging.
    // SNTP too: a 48-byte request and reply, the receive and transmit times read per datagram.
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Udp_time_server_allocates_nothing_per_datagram(bool batching, bool sntp)
    {
        await using var running = await RunningUdpServer.StartAsync(new UdpTimeServerOptions
        {
            Batching = batching,
            Protocol = sntp ? Core.Protocols.TimeProtocol.Sntp : Core.Protocols.TimeProtocol.Time,
        });
        using var sampler = new AllocationSampler();
        var allocated = await Task.Factory.StartNew(() =>
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.Connect(running.EndPoint); // a connected socket sends and receives without allocating
            client.ReceiveTimeout = (int)Loopback.Patience.TotalMilliseconds;
            var reply = new byte[64];
            var request = sntp ? new byte[48] : [];
            if (sntp)
            {
                request[0] = 0x23; // version 4, mode 3
            }

            void Ask(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    client.Send(request);
                    if (client.Receive(reply) != (sntp ? 48 : 4))
                    {
                        throw new InvalidOperationException("not a time reply");
                    }
                }
            }

            Ask(WarmUp);
            return LowestOfFive(() => Ask(Measured));
        }, TaskCreationOptions.LongRunning).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(allocated < Bound, $"{allocated} bytes allocated over {Measured} time requests (batching: {batching}, sntp: {sntp}): {sampler.Top(8)}");
    }

    private static Task<long> MeasureTcpAsync(int port, byte[] message, int replyLength) => Task.Factory.StartNew(() =>
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(new IPEndPoint(IPAddress.Loopback, port));
        client.ReceiveTimeout = (int)Loopback.Patience.TotalMilliseconds;
        var reply = new byte[replyLength];
        void Exchange(int count)
        {
            for (var i = 0; i < count; i++)
            {
                client.Send(message);
                var got = 0;
                while (got < replyLength)
                {
                    // No Assert in this loop: xunit's comparers allocate, and this loop is measured.
                    var n = client.Receive(reply, got, replyLength - got, SocketFlags.None);
                    got += n > 0 ? n : throw new EndOfStreamException();
                }
            }
        }

        Exchange(WarmUp);
        return LowestOfFive(() => Exchange(Measured));
    }, TaskCreationOptions.LongRunning).WaitAsync(TimeSpan.FromMinutes(2));

    private static long LowestOfFive(Action round)
    {
        var lowest = long.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            round();
            lowest = Math.Min(lowest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        return lowest;
    }
}
