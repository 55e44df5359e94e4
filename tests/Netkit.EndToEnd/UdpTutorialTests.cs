using System.Globalization;

namespace Netkit.EndToEnd;

/// <summary>
/// The swap-in promise for the tutorial's UDP time pair: either side can be netkit.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class UdpTutorialTests(NetkitBinary netkit)
{
    [SkippableFact]
    public async Task TutorialClient_PrintsNowFromNetkitServer()
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0");
        using (server)
        {
            var (exitCode, stdout) = await Tutorial.RunUdpClientAsync(port);

            Assert.Equal(0, exitCode);
            Assert.StartsWith(Tutorial.UdpClientPrompts, stdout, StringComparison.Ordinal);
            Assert.EndsWith("\n", stdout, StringComparison.Ordinal);
            CTime.AssertNearNow(stdout[Tutorial.UdpClientPrompts.Length..^1]);
        }
    }

    [SkippableFact]
    public async Task NetkitClient_PrintsNowFromTutorialServer()
    {
        var port = LocalPorts.FreeUdp();
        using var server = await Tutorial.StartUdpServerAsync(port);
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture));
        client.CloseStdin();

        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Contains("waiting for a reply ......", client.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("\n", client.Stdout, StringComparison.Ordinal);
        CTime.AssertNearNow(client.Stdout[..^1]);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)] // the default spelled out, --epoch auto: was an InvalidCastException, exit 1
    public async Task NetkitClientWithAutoEpoch_ReadsRfc868ServerAsNow(bool spelledOut)
    {
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "--epoch", "rfc868");
        using (server)
        {
            using var client = netkit.Start(["udp-time-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), .. (spelledOut ? new[] { "--epoch", "auto" } : [])]);
            client.CloseStdin();

            Assert.Equal(0, await client.WaitForExitAsync());
            CTime.AssertNearNow(client.Stdout.TrimEnd('\n'));
        }
    }

    // Issue 13, item 3: with --epoch named, a count is read as that epoch's, never before it
    // (Python's time.ctime(4005100748) is in 2096); auto still picks the reading nearest the clock.
    [SkippableTheory]
    [InlineData("unix", "2096-11-30T07:59:08Z")]
    [InlineData("auto", "2026-12-01T07:59:08Z")]
    public async Task ANamedEpoch_ReadsTheCountAsThatEpochs(string epoch, string serverTime)
    {
        // 4005100748 is 2096 as Unix seconds and 2026-12-01 as RFC 868 seconds.
        const uint value = 4005100748;
        using var fake = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)fake.Client.LocalEndPoint!).Port;
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--epoch", epoch, "--json");
        client.CloseStdin();
        var request = await fake.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var reply = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(reply, value);
        await fake.SendAsync(reply, request.RemoteEndPoint);
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Contains($"\"serverTime\":\"{serverTime}\"", client.Stdout, StringComparison.Ordinal);
    }
}
