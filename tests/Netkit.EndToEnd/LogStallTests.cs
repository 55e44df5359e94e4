using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// A log sink that stops reading (a paused terminal, a wedged journald) must never stall serving:
/// lines it cannot take are dropped and counted, and the summary says how many.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class LogStallTests(NetkitBinary netkit)
{
    private const int Clients = 1_500;
    private const int AtOnce = 50;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task StderrNobodyReads_FifteenHundredClientsAllServed_DropsCountedInTheSummary()
    {
        // A fixed free port: the "listening on" line sits in the unread pipe like every other.
        var port = LocalPorts.FreeTcp();
        using var server = netkit.StartWithStderrUnread("tcp-server", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--host", "127.0.0.1", "--reply", "X");
        server.CloseStdin();
        await LocalPorts.WaitForTcpListenerAsync(port);

        // Three log lines per client, ~250 KB in all: far more than the 64 KiB pipe and the
        // server's own queue hold, so the pipe is full long before the last client.
        var expected = "ping\nI get it!\nX"u8.ToArray();
        var served = 0;
        using (var gate = new SemaphoreSlim(AtOnce))
        {
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    using var socket = await Loopback.ConnectAsync(port);
                    await socket.SendAsync("ping"u8.ToArray(), SocketFlags.None);
                    if ((await Loopback.ReadExactlyAsync(socket, expected.Length)).AsSpan().SequenceEqual(expected))
                    {
                        Interlocked.Increment(ref served);
                    }
                }
                finally
                {
                    gate.Release();
                }
            })).WaitAsync(Limit);
        }

        Assert.Equal(Clients, served);

        // Now drain the pipe, then stop: the summary comes after whatever the pipe still held.
        server.ReadStderr();
        await server.SignalAsync("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var summary = Regex.Match(server.Stderr, @"summary: 1500 connection\(s\), .*, (\d+) log line\(s\) dropped\n");
        Assert.True(summary.Success, $"no summary counting dropped lines; stderr ends:\n{Tail(server.Stderr)}");
        Assert.InRange(long.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), 1, 3L * Clients);
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
