using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>Raw client sockets on 127.0.0.1 for tests that talk to a netkit server; every wait is bounded.</summary>
public static class LoopbackClient
{
    /// <summary>Bound for one connect or one whole read.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        return socket;
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(Patience);
        var got = 0;
        while (got < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, timeout.Token);
            got += n > 0 ? n : throw new EndOfStreamException($"EOF after {got} of {count} bytes");
        }

        return buffer;
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return received.ToArray();
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
