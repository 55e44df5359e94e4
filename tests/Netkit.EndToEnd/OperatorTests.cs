using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// Seed mode's operator as users drive it: words piped from a script, and a terminal with netkit in
/// the background. Per connection the tutorial's order holds; no client is left waiting.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class OperatorTests(NetkitBinary netkit)
{
    private const string Ack = "\nI get it!\n";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task PipedWords_KeepTheTutorialsOrder_ChunkAckWordThenTheNextChunk()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1");
        using (server)
        {
            using var client = await Loopback.ConnectAsync(port);
            await client.SendAsync("one"u8.ToArray(), SocketFlags.None);
            Assert.Equal("one" + Ack, await ReadExactlyAsync(client, ("one" + Ack).Length));

            // The second chunk is already there when the first word arrives: it must wait for it.
            await client.SendAsync("two"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            server.Write("w1\nw2\n");

            Assert.Equal("w1two" + Ack + "w2", await ReadToEndAsync(client));
            server.CloseStdin();
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("words: 2 sent, 0 released", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task FifteenHundredWaitingClients_FifteenHundredPipedWords_EveryClientGetsOneWord()
    {
        const int clients = 1_500;
        var limit = DescriptorLimit.Raise(clients * 2 + 500);
        Assert.True(limit >= clients + 200, $"RLIMIT_NOFILE is {limit} and could not be raised");
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1", "-v", "quiet");
        using (server)
        {
            var sockets = new Socket[clients];
            try
            {
                // Every client has its chunk answered with data and ack, and now waits for its word.
                await Loopback.InBatchesAsync(clients, 200, Limit, async i =>
                {
                    sockets[i] = await Loopback.ConnectAsync(port);
                    var chunk = $"c{i}";
                    await sockets[i].SendAsync(Encoding.ASCII.GetBytes(chunk), SocketFlags.None);
                    sockets[i].Shutdown(SocketShutdown.Send);
                    Assert.Equal(chunk + Ack, await ReadExactlyAsync(sockets[i], chunk.Length + Ack.Length));
                });

                server.Write(string.Concat(Enumerable.Range(0, clients).Select(i => $"w{i}\n")));
                var words = await Task.WhenAll(sockets.Select(ReadToEndAsync)).WaitAsync(Limit);

                // One word each, every word used once.
                Assert.Equal(Enumerable.Range(0, clients).Select(i => $"w{i}").Order(), words.Order());
            }
            finally
            {
                foreach (var socket in sockets)
                {
                    socket?.Dispose();
                }
            }

            server.CloseStdin();
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains($"summary: {clients} connection(s)", server.Stderr, StringComparison.Ordinal);
            Assert.Contains($"words: {clients} sent, 0 released", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task TheEndOfPipedInput_ReleasesEveryWaitingClient_AndSaysHowMany()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1");
        using (server)
        {
            var waiting = new List<Socket>();
            try
            {
                for (var i = 0; i < 3; i++)
                {
                    var socket = await Loopback.ConnectAsync(port);
                    waiting.Add(socket);
                    await socket.SendAsync("hi"u8.ToArray(), SocketFlags.None);
                    Assert.Equal("hi" + Ack, await ReadExactlyAsync(socket, ("hi" + Ack).Length));
                }

                server.CloseStdin();
                await server.WaitForStderrAsync(new Regex(@"operator input ended \(the end of stdin\): 3 client\(s\) waiting for a word released"));

                // Released: each goes on to its next chunk at once, answered with data and ack only.
                foreach (var socket in waiting)
                {
                    await socket.SendAsync("again"u8.ToArray(), SocketFlags.None);
                    socket.Shutdown(SocketShutdown.Send);
                    Assert.Equal("again" + Ack, await ReadToEndAsync(socket));
                }
            }
            finally
            {
                waiting.ForEach(s => s.Dispose());
            }

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("words: 0 sent, 3 released", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task PipedWords_AreRawBytes_SplitAtNewlines_NothingDecoded()
    {
        // Starts like a UTF-16 byte-order mark, holds a NUL, an empty line and a CRLF line: sent as
        // they are (the CR of CRLF dropped, as Python's input() does), one line per chunk.
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1");
        using (server)
        {
            server.Write([0xFF, 0xFE, (byte)'A', 0x00, (byte)'B', (byte)'\n', (byte)'\n', (byte)'w', (byte)'3', (byte)'\r', (byte)'\n']);
            byte[][] expected = [[0xFF, 0xFE, (byte)'A', 0x00, (byte)'B'], [], "w3"u8.ToArray()];
            foreach (var word in expected)
            {
                var reply = await Loopback.ConverseAsync(port, "c"u8.ToArray());
                Assert.Equal([.. "c\nI get it!\n"u8.ToArray(), .. word], reply);
            }

            server.CloseStdin();
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("words: 3 sent", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task AnEndlessLineOnStdin_IsNotWords_MemoryStaysBounded_AndChunksAreServed()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads /proc");
        var (server, port) = await StartWithStdinAsync("</dev/zero");
        using var _ = server;
        await server.WaitForStderrAsync(new Regex(@"operator input ended \(a line of stdin longer than 1048576 bytes: stdin is not lines of words\)"));
        var rss = NetkitBinary.RssKiB(server.Id);
        Assert.True(rss < 64 * 1024 + netkit.RuntimeAllowanceKiB, $"server RSS {rss} KiB");
        Assert.Equal("hi" + Ack, Encoding.ASCII.GetString(await Loopback.ConverseAsync(port, "hi"u8.ToArray())));
        await server.SignalAsync("TERM");
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [SkippableFact]
    public async Task AClientThatResetsWhileWaiting_IsNotGivenTheNextPipedWord()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--host", "127.0.0.1");
        using (server)
        {
            using var dead = await Loopback.ConnectAsync(port);
            await dead.SendAsync("A"u8.ToArray(), SocketFlags.None);
            Assert.Equal("A" + Ack, await ReadExactlyAsync(dead, ("A" + Ack).Length));
            using var alive = await Loopback.ConnectAsync(port);
            await alive.SendAsync("B"u8.ToArray(), SocketFlags.None);
            alive.Shutdown(SocketShutdown.Send);
            Assert.Equal("B" + Ack, await ReadExactlyAsync(alive, ("B" + Ack).Length));

            dead.LingerState = new LingerOption(true, 0);
            dead.Close();
            await server.WaitForStderrAsync(new Regex(@"#1 closed: connection reset by peer"));
            server.Write("word1\n");
            Assert.Equal("word1", await ReadToEndAsync(alive));

            server.CloseStdin();
            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("words: 1 sent, 0 released", server.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableTheory]
    [InlineData("</dev/null", "the end of stdin")]
    [InlineData("<&-", "the end of stdin")]
    [InlineData("0>/dev/null", "stdin is closed or not open for reading")]
    public async Task WithNoOperatorInput_ChunksGetDataAndAckAndNobodyWaits(string redirection, string said)
    {
        // The JIT runtime opens its own descriptors (a pipe of its signal handling) before netkit's
        // first line runs, so a closed fd 0 is already one of the runtime's: only the native binary
        // can fill it with /dev/null first.
        Skip.If(redirection == "<&-" && !netkit.IsNative, "a closed stdin is taken by the JIT runtime itself before netkit runs (native binary only)");
        var (server, port) = await StartWithStdinAsync(redirection);
        using var _ = server;
        await server.WaitForStderrAsync(new Regex(Regex.Escape($"operator input ended ({said})")));
        using (var client = await Loopback.ConnectAsync(port))
        {
            await client.SendAsync("hi"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal("hi" + Ack, await ReadToEndAsync(client));
        }

        await server.SignalAsync("TERM");
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("words: 0 sent, 0 released", server.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task InTheBackgroundOfAnInteractiveShell_TheServerServesAndIsNotStopped()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads /proc and drives bash on a pty");
        Toolchain.Require("bash");
        using var shell = Tutorial.StartPython("background.py", netkit.Path);
        var started = await shell.WaitForStderrAsync(new Regex(@"netkit-background port=(\d+) pid=(\d+)"), RunningProcess.DefaultTimeout * 3);
        var port = int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture);
        var pid = int.Parse(started.Groups[2].Value, CultureInfo.InvariantCulture);

        // `cmd &` from an interactive shell: netkit is not in the terminal's foreground group, so
        // reading the terminal would stop it (SIGTTIN). It serves without words and says why, once.
        using (var client = await Loopback.ConnectAsync(port))
        {
            await client.SendAsync("hi"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal("hi" + Ack, await ReadToEndAsync(client));
        }

        Assert.NotEqual('T', ProcessState(pid));
        await shell.WaitForStderrAsync(new Regex("in the background: the operator console is off"));
        Assert.Single(Regex.Matches(shell.Stderr, "in the background: the operator console is off"));
        shell.CloseStdin();
        Assert.Equal(0, await shell.WaitForExitAsync());
    }

    // A seed server whose stdin the shell redirects (`</dev/zero`, `<&-`, ...).
    private async Task<(RunningProcess Server, int Port)> StartWithStdinAsync(string redirection)
    {
        var server = netkit.StartShell($"exec \"$0\" tcp-server --port 0 --host 127.0.0.1 {redirection}");
        try
        {
            var listening = await server.WaitForStderrAsync(new Regex(@"listening on 127\.0\.0\.1:(\d+)"));
            return (server, int.Parse(listening.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private static char ProcessState(int pid)
    {
        // /proc/PID/stat: "pid (comm) S ...": the state follows the last ')'.
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    private static async Task<string> ReadExactlyAsync(Socket socket, int count)
        => Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(socket, count));

    private static async Task<string> ReadToEndAsync(Socket socket)
        => Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(socket));
}
