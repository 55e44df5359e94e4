using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// Ctrl+C and SIGTERM stop a server cleanly: a summary line, exit code 0. A repeat within the
/// window (1 s) is the same stop; a later one forces it: connections reset, summary, exit 130.
/// </summary>
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
    public async Task SigtermTwiceBackToBack_IsOneStop_EveryRunDrainsPrintsTheSummaryAndExits0()
    {
        // What coreutils timeout and service managers do (the child, then its process group). A
        // held connection keeps the drain going until the test lets it go, so the second signal
        // always lands during it, however long starting kill(1) takes on a loaded machine.
        for (var run = 0; run < 20; run++)
        {
            var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "X", "--shutdown-timeout", "60s");
            using (server)
            {
                server.CloseStdin();
                var held = await HoldServedConnectionAsync(port);
                await server.SignalAsync("TERM");
                await server.SignalAsync("TERM");
                held.Dispose();

                Assert.Equal(0, await server.WaitForExitAsync());
                Assert.Contains("summary: 1 connection(s)", server.Stderr, StringComparison.Ordinal);
            }
        }
    }

    [SkippableFact]
    public async Task SecondSigintAfterTheWindow_CutsTheDrainShort_SummaryAndExit130()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "X", "--shutdown-timeout", "60s");
        using (server)
        {
            server.CloseStdin();
            using var held = await HoldServedConnectionAsync(port);
            await server.SignalAsync("INT");
            await server.WaitForStderrAsync(new Regex(@"stopping: waiting for"));

            // The drain has begun, so the first signal was taken before this line; what must pass
            // now is the repeat window itself, measured from that signal.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await server.SignalAsync("INT");

            // Forced: far sooner than the 60 s the drain would have waited.
            Assert.Equal(130, await server.WaitForExitAsync(TimeSpan.FromSeconds(5)));
            Assert.Contains("summary: 1 connection(s)", server.Stderr, StringComparison.Ordinal);

            // The held connection was reset, not left to the kernel when the process died.
            Assert.Contains("#1 closed: server stopping", server.Stderr, StringComparison.Ordinal);
        }
    }

    // A connection that had one seed exchange (so the server is serving it) and then stays open.
    private static async Task<Socket> HoldServedConnectionAsync(int port)
    {
        var socket = await Loopback.ConnectAsync(port);
        await socket.SendAsync("ping"u8.ToArray());
        await Loopback.ReadExactlyAsync(socket, "ping\nI get it!\nX"u8.Length);
        return socket;
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
