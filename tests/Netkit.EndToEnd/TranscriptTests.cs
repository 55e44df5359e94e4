using System.Globalization;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// <c>--transcript FILE</c> and <c>--hexdump</c> on tcp-server and tcp-client: a binary conversation
/// is reassembled byte for byte from each side's file, and a file that cannot be written never
/// costs the conversation.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed partial class TranscriptTests(NetkitBinary netkit) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netkit-transcript-").FullName;

    public static TheoryData<string> Transports => ["1", "0"];

    [SkippableTheory]
    [MemberData(nameof(Transports))]
    public async Task ABinaryConversation_ReassemblesByteExact_FromBothSidesTranscripts(string loops)
    {
        var serverFile = Path.Combine(_dir, "server.tr");
        var clientFile = Path.Combine(_dir, "client.tr");
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "W\u00e9", "--loops", loops,
            "--transcript", serverFile, "-v", "quiet");
        using (server)
        {
            server.CloseStdin();

            // Every byte value, then 200 KiB of a pattern: many chunks each way.
            var sent = new byte[256 + (200 * 1024)];
            for (var i = 0; i < sent.Length; i++)
            {
                sent[i] = (byte)(i < 256 ? i : i * 7 % 251);
            }

            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--transcript", clientFile, "-v", "quiet");
            client.Write(sent);
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            var received = client.StdoutBytes;
            Assert.True(received.Length > sent.Length, "the server echoed the data, acks and words");

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());

            // The client's file: > is what it sent, < what it received; the server's the other way round.
            Assert.Equal(sent, Reassemble(clientFile, '>'));
            Assert.Equal(received, Reassemble(clientFile, '<'));
            Assert.Equal(sent, Reassemble(serverFile, '<'));
            Assert.Equal(received, Reassemble(serverFile, '>'));
        }
    }

    [SkippableFact]
    public async Task Hexdump_ShowsEachChunkOnStderr_StdoutKeepsTheDataAlone()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo", "-v", "quiet");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "hello", "--hexdump", "-v", "quiet");
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("hello", client.Stdout);
            Assert.Contains("#1 > 5 bytes\n00000000  68 65 6c 6c 6f                                    |hello|\n", client.Stderr, StringComparison.Ordinal);
            Assert.Contains("#1 < 5 bytes\n00000000  68 65 6c 6c 6f                                    |hello|\n", client.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task ATranscriptThatCannotBeCreated_IsAUsageError_BeforeAnythingIsSent()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "x",
                "--transcript", Path.Combine(_dir, "no-such-dir", "t"));
            Assert.Equal(2, await client.WaitForExitAsync());
            Assert.Contains("--transcript", client.Stderr, StringComparison.Ordinal);
            Assert.Contains("cannot create it", client.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("connection from", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task ATranscriptOnAFullDisk_LosesItsLines_SaysSo_AndTheConversationIsWhole()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "intact", "--transcript", "/dev/full");
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("intact", client.Stdout);
            Assert.Matches(Lost(), client.Stderr);
        }
    }

    [SkippableFact]
    public async Task UdpTimeServer_WritesADatagramLinePerRequestAndReply_NamedByThePeer()
    {
        var file = Path.Combine(_dir, "udp.tr");
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "--host", "127.0.0.1", "--transcript", file, "-v", "quiet");
        using (server)
        {
            server.CloseStdin();
            using var client = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            var me = "127.0.0.1:" + ((System.Net.IPEndPoint)client.Client.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
            client.Connect(System.Net.IPAddress.Loopback, port);
            var replies = new List<byte[]>();
            foreach (var request in new[] { Array.Empty<byte>(), new byte[] { 0, 1, 0xff } })
            {
                await client.SendAsync(request);
                replies.Add((await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer);
            }

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            var lines = File.ReadAllLines(file).Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]).ToArray();
            Assert.Equal(
                [$"{me} < 0", $"{me} > 4 {Convert.ToHexStringLower(replies[0])}", $"{me} < 3 0001ff", $"{me} > 4 {Convert.ToHexStringLower(replies[1])}"],
                lines);
        }
    }

    [SkippableFact]
    public async Task AFifoNobodyReads_HoldsNothingUp_TheServerListensServesAndStopsOnSigterm()
    {
        var fifo = Path.Combine(_dir, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--reply", "W", "--transcript", fifo);
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "hi", "-v", "quiet");
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("hi\nI get it!\nW", client.Stdout);

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("not written out within 5 s", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task AFileAnotherProcessWrites_IsRefused_NotShared()
    {
        var file = Path.Combine(_dir, "shared.tr");
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo", "--transcript", file);
        using (server)
        {
            server.CloseStdin();
            using (var first = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "kept"))
            {
                Assert.Equal(0, await first.WaitForExitAsync());
            }

            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "x", "--transcript", file);
            Assert.Equal(2, await client.WaitForExitAsync());
            Assert.Contains("cannot create it: another process is writing it", client.Stderr, StringComparison.Ordinal);

            // The refused one touched nothing: the server's lines are all there.
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Equal("kept"u8.ToArray(), Reassemble(file, '<'));
        }
    }

    [SkippableFact]
    public async Task Devices_AreNeitherLockedNorTruncated_TwoProcessesMayBothWriteDevNull()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo", "--transcript", "/dev/null");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "x", "--transcript", "/dev/null");
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("x", client.Stdout);
            Assert.DoesNotContain("Unhandled", client.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Hexdump_WithJsonLogs_IsOneJsonLinePerChunk()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "--mode", "echo", "--hexdump", "--log-format", "json");
        using (server)
        {
            server.CloseStdin();
            using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--message", "hi", "--hexdump", "--log-format", "json");
            Assert.Equal(0, await client.WaitForExitAsync());
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            foreach (var stderr in new[] { client.Stderr, server.Stderr })
            {
                var events = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
                var data = events.Where(e => e.GetProperty("event").GetString() == "Data").ToList();
                Assert.Equal(2, data.Count);
                Assert.All(data, d => Assert.Equal("6869", d.GetProperty("fields").GetProperty("hex").GetString()));
            }
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // One direction's bytes, in order: the hex of every line with that direction.
    private static byte[] Reassemble(string file, char direction)
    {
        var bytes = new List<byte>();
        foreach (var line in File.ReadAllLines(file))
        {
            var match = Line().Match(line);
            Assert.True(match.Success, $"not a transcript line: {line}");
            if (match.Groups[2].Value[0] == direction)
            {
                var chunk = Convert.FromHexString(match.Groups[4].Value);
                Assert.Equal(int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), chunk.Length);
                bytes.AddRange(chunk);
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z #(\d+) ([<>]) (\d+) ([0-9a-f]+)$")]
    private static partial Regex Line();

    [GeneratedRegex(@"transcript '/dev/full': \d+ line\(s\) lost")]
    private static partial Regex Lost();
}
