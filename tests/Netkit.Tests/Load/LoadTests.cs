using System.Buffers.Binary;
using System.Net.Sockets;
using Netkit.Core.Tcp;
using Netkit.Tests.Allocations;
using Netkit.Tests.Support;

namespace Netkit.Tests.Load;

/// <summary>
/// The core under load on loopback: a million messages, and clients that misbehave (ten thousand
/// clients at once run against the published binary, in Netkit.EndToEnd: both ends in one process
/// would need 20,000 descriptors). Each test bounds its own time and runs alone (the collection is not parallel),
/// since it needs the machine's file descriptors and cores.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class LoadTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_million_messages_across_a_hundred_connections_come_back_byte_exact()
    {
        const int connections = 100;
        const int perConnection = 10_000;
        const int size = 32;
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { Mode = TcpServerMode.Echo });
        long lost = 0;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            using var socket = await Loopback.ConnectAsync(running.Port);
            var sending = Task.Run(async () =>
            {
                // Batches of 50 messages, each stamped with connection and sequence.
                var batch = new byte[size * 50];
                for (var m = 0; m < perConnection; m += 50)
                {
                    for (var k = 0; k < 50; k++)
                    {
                        Stamp(batch.AsSpan(k * size, size), c, m + k);
                    }

                    await socket.SendAsync(batch, SocketFlags.None);
                }

                socket.Shutdown(SocketShutdown.Send);
            });

            var received = await Loopback.ReadToEndAsync(socket);
            await sending;
            var expected = new byte[size];
            var good = 0;
            for (var m = 0; m < perConnection && (m + 1) * size <= received.Length; m++)
            {
                Stamp(expected, c, m);
                if (received.AsSpan(m * size, size).SequenceEqual(expected))
                {
                    good++;
                }
            }

            Interlocked.Add(ref lost, perConnection - good);
            Assert.Equal(perConnection * size, received.Length);
        }))).WaitAsync(Limit);

        Assert.Equal(0, lost);
        Assert.Equal((long)connections * perConnection * size, running.Server.Counters.BytesOut);
    }

    [Fact]
    public async Task Clients_that_reset_half_close_early_or_vanish_do_not_hurt_the_others()
    {
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { AutoReply = "W"u8.ToArray() });
        var misbehaving = Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            var socket = await Loopback.ConnectAsync(running.Port);
            switch (i % 3)
            {
                case 0: // reset in the middle of sending
                    await socket.SendAsync(new byte[3000], SocketFlags.None);
                    socket.Close(0);
                    break;
                case 1: // half-close before sending anything
                    socket.Shutdown(SocketShutdown.Send);
                    Assert.Empty(await Loopback.ReadToEndAsync(socket));
                    socket.Dispose();
                    break;
                default: // send and vanish without reading
                    await socket.SendAsync("bye"u8.ToArray(), SocketFlags.None);
                    socket.Dispose();
                    break;
            }
        }));
        var wellBehaved = Enumerable.Range(0, 20).Select(_ => Loopback.ConverseAsync(running.Port, "hello"u8.ToArray()));
        await Task.WhenAll(misbehaving).WaitAsync(Limit);
        foreach (var reply in await Task.WhenAll(wellBehaved).WaitAsync(Limit))
        {
            Assert.Equal("hello\nI get it!\nW"u8.ToArray(), reply);
        }

        await Loopback.UntilAsync(() => running.Server.Snapshot().Count == 0);
        Assert.Equal("hello\nI get it!\nW"u8.ToArray(), await Loopback.ConverseAsync(running.Port, "hello"u8.ToArray()));
        Assert.False(running.Run.IsCompleted);
    }

    private static void Stamp(Span<byte> message, int connection, int sequence)
    {
        BinaryPrimitives.WriteInt32BigEndian(message, connection);
        BinaryPrimitives.WriteInt32BigEndian(message[4..], sequence);
        for (var i = 8; i < message.Length; i++)
        {
            message[i] = (byte)(connection + sequence + i);
        }
    }
}
