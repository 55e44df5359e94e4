using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>
/// A peer must not drive the operator's terminal: the bytes it sends are logged with control
/// characters escaped, never raw.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class LogSafetyTests(NetkitBinary netkit)
{
    [SkippableTheory]
    [InlineData("simple")]
    [InlineData("json")]
    [InlineData("systemd")]
    public async Task PeerControlCharacters_AreEscapedInServerLog(string format)
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", "X", "--once", "--log-format", format);
        using (server)
        {
            server.CloseStdin();
            using (var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await peer.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                await peer.SendAsync("evil\u001b[2J\u0007\rline"u8.ToArray());
                peer.Shutdown(SocketShutdown.Send);
                using var timeout = new CancellationTokenSource(RunningProcess.DefaultTimeout);
                var buffer = new byte[256];
                while (await peer.ReceiveAsync(buffer, timeout.Token) > 0)
                {
                }
            }

            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("evil", server.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', server.Stderr);
            Assert.DoesNotContain('\u0007', server.Stderr);
            Assert.DoesNotContain('\r', server.Stderr);
            Assert.DoesNotContain("\u009b", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task ArgumentsThatAreNotUtf8_AreAUsageErrorOnOneLine()
    {
        // Raw bytes in argv, as a shell passes them: an invalid UTF-8 port, host and duration.
        foreach (var bad in new[] { @"tcp-server --port $'\xff\xfe'", @"tcp-client $'\xc3\x28' --port 0", @"udp-time-client h --timeout $'2\x80s'", @"$'\xff'" })
        {
            using var shell = RunningProcess.Start("/bin/bash", ["-c", $"exec \"$NETKIT\" {bad}"], new Dictionary<string, string?> { ["NETKIT"] = netkit.Path });
            shell.CloseStdin();
            Assert.Equal(2, await shell.WaitForExitAsync());
            var lines = shell.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith("netkit: error: ", lines[0], StringComparison.Ordinal);
        }
    }
}
