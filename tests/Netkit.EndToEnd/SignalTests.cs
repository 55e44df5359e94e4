using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>Ctrl+C and SIGTERM stop a server cleanly: a summary line, exit code 0.</summary>
[Collection(NetkitCollection.Name)]
public sealed class SignalTests(NetkitBinary netkit)
{
    [SkippableTheory]
    [InlineData("tcp-server", "INT")]
    [InlineData("tcp-server", "TERM")]
    [InlineData("udp-time-server", "INT")]
    [InlineData("udp-time-server", "TERM")]
    public async Task Signal_StopsServerWithSummaryAndExitCode0(string command, string signal)
    {
        var (server, _) = await netkit.StartServerAsync(command, "--port", "0");
        using (server)
        {
            server.CloseStdin();
            await server.SignalAsync(signal);

            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("summary", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Sigterm_ClosesAnIdleConnectionAfterTheShutdownTimeout()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", "X", "--shutdown-timeout", "500ms");
        using (server)
        {
            server.CloseStdin();
            using var idle = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await idle.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

            // One exchange proves the server is serving this connection, which then stays open.
            await idle.SendAsync("ping"u8.ToArray());
            var expected = "ping\nI get it!\nX"u8.Length;
            var buffer = new byte[64];
            var received = 0;
            using (var timeout = new CancellationTokenSource(RunningProcess.DefaultTimeout))
            {
                while (received < expected)
                {
                    var read = await idle.ReceiveAsync(buffer.AsMemory(received), timeout.Token);
                    Assert.True(read > 0, "the server closed the connection before answering");
                    received += read;
                }
            }

            await server.SignalAsync("TERM");

            // Bounded by --shutdown-timeout (500 ms), far below the default 5 s.
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(4)));
            Assert.Contains("summary", server.Stderr, StringComparison.Ordinal);
        }
    }
}
