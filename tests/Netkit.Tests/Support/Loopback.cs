using System.Net;
using System.Net.Sockets;

namespace Netkit.Tests.Support;

/// <summary>Client-side helpers for loopback tests; every wait is bounded.</summary>
internal static class Loopback
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>A listening socket on 127.0.0.1, port 0 (the test plays the server).</summary>
    public static Socket Listen(out int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        return listener;
    }

    public static Task<Socket> ConnectAsync(int port) => ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

    public static async Task<Socket> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(server, timeout.Token);
        return socket;
    }

    /// <summary>The tutorial client: send, half-close, read to EOF.</summary>
    public static async Task<byte[]> ConverseAsync(int port, byte[] message)
    {
        using var socket = await ConnectAsync(port);
        await socket.SendAsync(message, SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
        return await ReadToEndAsync(socket);
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var received = new MemoryStream();
        var buffer = new byte[65536];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                return received.ToArray();
            }

            received.Write(buffer, 0, n);
        }
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                throw new EndOfStreamException($"EOF after {got} of {count} bytes");
            }

            got += n;
        }

        return buffer;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling, at most <see cref="Patience"/> (or <paramref name="limit"/>).</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        using var timeout = new CancellationTokenSource(limit ?? Patience);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>Runs <paramref name="action"/> for 0 .. <paramref name="count"/>-1, at most
    /// <paramref name="atOnce"/> at a time (so thousands of clients do not overflow the accept
    /// queue at once), within <paramref name="limit"/>.</summary>
    public static async Task InBatchesAsync(int count, int atOnce, TimeSpan limit, Func<int, Task> action)
    {
        using var gate = new SemaphoreSlim(atOnce);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await action(i);
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(limit);
    }
}
