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
    [SkippableFact]
    public async Task PeerControlCharacters_AreEscapedInServerLog()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", "X", "--once");
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
        }
    }
}
