using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// The operator's console as a person uses it: tcp-server in a real terminal (tmux), two clients
/// waiting for a word, log lines arriving while the operator types. What is checked is the screen
/// the person sees and the bytes the clients get.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed partial class ConsoleTests(NetkitBinary netkit) : IDisposable
{
    private const string Ack = "\nI get it!\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("netkit-console-").FullName;
    private readonly List<Socket> _clients = [];
    private Tmux? _tmux;

    [SkippableFact]
    public async Task HalfTypedInput_SurvivesTwentyLogLines_AndGoesIntactToTheClientThePromptNames()
    {
        var (tmux, port) = await StartAsync();
        var one = await WaitingClientAsync(port, "one");
        var two = await WaitingClientAsync(port, "two");
        await tmux.WaitForAsync(s => s[^1] == "#2 input the word (+1 waiting) :", "the prompt naming #2");

        tmux.Type("partial-typed-wo");
        await tmux.WaitForAsync(s => s[^1].EndsWith(": partial-typed-wo", StringComparison.Ordinal), "the half-typed line");

        // Ten clients come and go: twenty log lines scroll past the line being typed.
        for (var i = 0; i < 10; i++)
        {
            using var passing = await Loopback.ConnectAsync(port);
            passing.Shutdown(SocketShutdown.Both);
        }

        // Each batch of lines is written with the input line drawn again after it: wait for the last batch's.
        var screen = await tmux.WaitForAsync(
            s => s.Count(l => l.Contains(" closed: ", StringComparison.Ordinal)) >= 10 && s[^1] == "#2 input the word (+1 waiting) : partial-typed-wo",
            "ten closed lines, the half-typed line below them");
        Assert.Single(screen, l => l.Contains("partial", StringComparison.Ordinal));

        tmux.Type("rd");
        tmux.Press("Enter");
        Assert.Equal("partial-typed-word", await ReadAsync(two, "partial-typed-word".Length));
        await tmux.WaitForAsync(s => s[^1] == "#1 input the word :", "the prompt naming #1 next");
        Assert.Equal(0, one.Available);
    }

    [SkippableFact]
    public async Task To_All_Kick_AndTabCompletion_ReachTheRightClients()
    {
        var (tmux, port) = await StartAsync();
        var one = await WaitingClientAsync(port, "one");
        var two = await WaitingClientAsync(port, "two");
        await tmux.WaitForAsync(s => s[^1] == "#2 input the word (+1 waiting) :", "the prompt naming #2");

        // Tab: a command name, then an id among those waiting.
        tmux.Type("/t");
        tmux.Press("Tab");
        await tmux.WaitForAsync(s => s[^1].EndsWith(": /to", StringComparison.Ordinal), "/t completed to /to");
        tmux.Press("Tab");
        await tmux.WaitForTextAsync("  1  2");
        tmux.Type("1");
        tmux.Press("Tab");
        tmux.Type("for one");
        await tmux.WaitForAsync(s => s[^1].EndsWith(": /to 1 for one", StringComparison.Ordinal), "/to 1 for one");
        tmux.Press("Enter");
        Assert.Equal("for one", await ReadAsync(one, "for one".Length));

        // Cursor keys and Ctrl+A: "world" typed, then "hello " put before it.
        tmux.Type("world");
        tmux.Press("C-a");
        tmux.Type("hello ");
        tmux.Press("End", "Enter");
        Assert.Equal("hello world", await ReadAsync(two, "hello world".Length));

        // Nobody waits now: a word is refused, not queued for the next chunk.
        await tmux.WaitForAsync(s => s[^1] == "(no client waits) >", "the prompt saying nobody waits");
        tmux.Type("lost");
        tmux.Press("Enter");
        await tmux.WaitForTextAsync("not sent: no client is waiting for a word");

        tmux.Type("/kick 1");
        tmux.Press("Enter");
        await tmux.WaitForTextAsync("#1 kicked");
        Assert.True(await EndedAsync(one));
        await two.SendAsync("again"u8.ToArray(), SocketFlags.None);
        await tmux.WaitForAsync(s => s[^1] == "#2 input the word :", "#2 waiting again");
        Assert.Equal("again" + Ack, await ReadAsync(two, ("again" + Ack).Length));

        // /stats: the counters of what happened, as the server counted it.
        tmux.Type("/stats");
        tmux.Press("Enter");
        await tmux.WaitForTextAsync("stats: 1 connection(s) now, peak 2, 2 in all, 0 rejected, 11 bytes in, 62 bytes out, drops: none, errors: 0, replies: 5, p50 ");
    }

    [SkippableFact]
    public async Task List_NeverShowsAClientThatReset_AndMarksOneThatHalfClosed()
    {
        var (tmux, port) = await StartAsync();
        var gone = await WaitingClientAsync(port, "gone");
        var half = await WaitingClientAsync(port, "half");
        await WaitingClientAsync(port, "stays");
        half.Shutdown(SocketShutdown.Send);
        gone.LingerState = new LingerOption(true, 0);
        gone.Close(); // A reset.
        await tmux.WaitForAsync(s => s.Any(l => l.Contains("#1 closed:", StringComparison.Ordinal) || l.Contains("#1 failed:", StringComparison.Ordinal)), "#1's end");

        tmux.Type("/list");
        tmux.Press("Enter");
        // The listing is three lines, written one after the other: wait for its last.
        var screen = await tmux.WaitForAsync(s => s.SkipWhile(l => l != "2 client(s):").Any(l => l.StartsWith("  #3 ", StringComparison.Ordinal)), "the whole listing");
        var rows = screen.SkipWhile(l => l != "2 client(s):").Skip(1).Take(2).ToList();
        Assert.Matches(@"^  #2 127\.0\.0\.1:\d+ since \d\d:\d\d:\d\d, 4 bytes in, 15 bytes out, idle \d+s, waiting for a word \(it closed its side: FIN\)$", rows[0]);
        Assert.Matches(@"^  #3 127\.0\.0\.1:\d+ since \d\d:\d\d:\d\d, 5 bytes in, 16 bytes out, idle \d+s, waiting for a word$", rows[1]);
        Assert.DoesNotContain(screen, l => l.StartsWith("  #1 ", StringComparison.Ordinal));

        // The word owed to the half-closed client still reaches it.
        tmux.Type("/to 2 bye");
        tmux.Press("Enter");
        Assert.Equal("bye", Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(half)));
    }

    [SkippableFact]
    public async Task CtrlD_ReleasesTheWaitingClientsOnce_TheServerServesOn_AndCtrlCRestoresTheTerminal()
    {
        var (tmux, port) = await StartAsync();
        var one = await WaitingClientAsync(port, "one");
        var two = await WaitingClientAsync(port, "two");
        await tmux.WaitForAsync(s => s[^1] == "#2 input the word (+1 waiting) :", "the prompt naming #2");

        tmux.Press("C-d");
        var screen = await tmux.WaitForTextAsync("operator input ended (Ctrl+D): 2 client(s) waiting for a word released");
        Assert.Single(screen, l => l.Contains("operator input ended", StringComparison.Ordinal));

        // Released: each goes on to its next chunk, answered with the ack alone.
        await one.SendAsync("more"u8.ToArray(), SocketFlags.None);
        Assert.Equal("more" + Ack, await ReadAsync(one, ("more" + Ack).Length));
        var three = await WaitingClientAsync(port, "three");
        Assert.NotNull(three);

        // Typing is echoed by the terminal itself again (its modes are back), and Ctrl+C stops the server.
        tmux.Type("echoed");
        await tmux.WaitForAsync(s => s[^1] == "echoed", "the terminal's own echo");
        tmux.Press("C-c");
        await tmux.WaitForTextAsync("exit=0");
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "before")), File.ReadAllText(Path.Combine(_dir, "after")));
        GC.KeepAlive(two);
    }

    [SkippableFact]
    public async Task CtrlC_WithHalfTypedInput_TakesTheLineAway_AndPutsTheModesBack()
    {
        var (tmux, port) = await StartAsync();
        await WaitingClientAsync(port, "one");
        tmux.Type("never sent");
        await tmux.WaitForAsync(s => s[^1].EndsWith(": never sent", StringComparison.Ordinal), "the half-typed line");
        tmux.Press("C-c");
        var screen = await tmux.WaitForTextAsync("exit=0");
        Assert.DoesNotContain(screen, l => l.Contains("never sent", StringComparison.Ordinal));
        Assert.Contains(screen, l => l.StartsWith("summary: 1 connection(s)", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "before")), File.ReadAllText(Path.Combine(_dir, "after")));
    }

    [SkippableFact]
    public async Task ALongPaste_ArrivesWhole_AndWideCharactersLeaveNoStaleLines()
    {
        var (tmux, port) = await StartAsync();
        var one = await WaitingClientAsync(port, "one");
        await tmux.WaitForAsync(s => s[^1] == "#1 input the word :", "the prompt naming #1");

        // 6,000 characters in one paste: more than a terminal's line discipline would take.
        var pasted = string.Concat(Enumerable.Range(0, 600).Select(i => $"{i % 10}23456789"));
        tmux.Type(pasted + "\u6f22\u5b57END");
        await tmux.WaitForAsync(s => s[^1].EndsWith("END", StringComparison.Ordinal), "the end of the paste");

        // Wide characters at the cursor while log lines scroll: one prompt line, the last.
        tmux.Press("Home");
        tmux.Type("\u6f22\u6f22\u6f22");
        for (var i = 0; i < 3; i++)
        {
            using var passing = await Loopback.ConnectAsync(port);
            passing.Shutdown(SocketShutdown.Both);
        }

        var screen = await tmux.WaitForAsync(
            s => s.Count(l => l.Contains(" closed: ", StringComparison.Ordinal)) >= 3 && s[^1].StartsWith("#1 input the word", StringComparison.Ordinal),
            "three closed lines, the input line below them");
        Assert.Single(screen, l => l.StartsWith("#1 input the word", StringComparison.Ordinal));

        tmux.Press("Enter");
        var word = "\u6f22\u6f22\u6f22" + pasted + "\u6f22\u5b57END";
        var bytes = Encoding.UTF8.GetByteCount(word);
        Assert.Equal(word, Encoding.UTF8.GetString(await Loopback.ReadExactlyAsync(one, bytes)));
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _tmux?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(Tmux Tmux, int Port)> StartAsync(params string[] arguments)
    {
        var before = Path.Combine(_dir, "before");
        var after = Path.Combine(_dir, "after");
        // The terminal's modes after netkit are saved before "exit=" shows: a test that waits for that
        // line then reads a whole file (it once read the file stty had only just created).
        var command = $"stty -g > {before}; NO_COLOR=1 {netkit.Path} tcp-server --port 0 --host 127.0.0.1 {string.Join(' ', arguments)}; code=$?; stty -g > {after}; echo exit=$code";
        _tmux = Tmux.Start(command);
        var screen = await _tmux.WaitForTextAsync("listening on 127.0.0.1:");
        var port = int.Parse(ListeningOn().Match(string.Join('\n', screen)).Groups[1].Value, CultureInfo.InvariantCulture);
        return (_tmux, port);
    }

    // A client that sent a chunk and got its data and ack back: it now waits for its word.
    private async Task<Socket> WaitingClientAsync(int port, string chunk)
    {
        var client = await Loopback.ConnectAsync(port);
        _clients.Add(client);
        await client.SendAsync(Encoding.ASCII.GetBytes(chunk), SocketFlags.None);
        Assert.Equal(chunk + Ack, await ReadAsync(client, chunk.Length + Ack.Length));
        return client;
    }

    // The server closed the connection: an end of stream or a reset.
    private static async Task<bool> EndedAsync(Socket socket)
    {
        try
        {
            return (await Loopback.ReadToEndAsync(socket)).Length == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<string> ReadAsync(Socket socket, int count)
        => Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(socket, count));

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();
}
