using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary><c>-v detailed</c> is connection-level; <c>-v debug</c> adds a line per datagram.</summary>
[Collection(NetkitCollection.Name)]
public sealed partial class VerbosityTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task UdpTimeServer_LogsEachDatagramAtDebugOnly()
    {
        // debug: the line for the datagram comes (waited for, bounded).
        var (debug, debugPort) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "-v", "debug");
        using (debug)
        {
            await AskTimeAsync(debugPort);
            await debug.WaitForStderrAsync(DatagramLine());
        }

        // detailed: none, checked on everything the server wrote once it has stopped.
        var (detailed, detailedPort) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "-v", "detailed");
        using (detailed)
        {
            await AskTimeAsync(detailedPort);
            await detailed.SignalAsync("TERM");
            Assert.Equal(0, await detailed.WaitForExitAsync());
            Assert.Contains("summary: 1 request(s), 1 replied", detailed.Stderr, StringComparison.Ordinal);
            Assert.DoesNotMatch(DatagramLine(), detailed.Stderr);
        }
    }

    private static async Task AskTimeAsync(int port)
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        using var bound = new CancellationTokenSource(RunningProcess.DefaultTimeout);
        await client.SendAsync(ReadOnlyMemory<byte>.Empty, new IPEndPoint(IPAddress.Loopback, port), bound.Token);
        var reply = await client.ReceiveAsync(bound.Token);
        Assert.Equal(4, reply.Buffer.Length);
    }

    [GeneratedRegex(@"sent 0 bytes, replied \d+")]
    private static partial Regex DatagramLine();
}
