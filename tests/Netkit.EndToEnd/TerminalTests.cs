using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// netkit on a terminal of its own (a pty driven by <c>fixtures/terminal.py</c>), as a person runs it:
/// it leaves the terminal's modes as it found them and sends it no mode sequences (the runtime's
/// keypad-transmit <c>ESC[?1h ESC=</c>), Ctrl+C at a prompt ends the prompt's line, and the progress
/// of a long transfer never shares the terminal with the data or runs into another line.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class TerminalTests(NetkitBinary netkit)
{
    private const string Keypad = "\u001b[?1h";
    private const string KeypadApplication = "\u001b=";
    private const string Erase = "\r\u001b[K";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    public static TheoryData<string, string, string, int> Commands => new()
    {
        // arguments, what to wait for, what to type then, the exit code
        { "tcp-client", "input server ip address :", @"\x03", 130 },
        { "udp-time-client", "input server address :", @"\x03", 130 },
        { "tcp-server --port 0 --host 127.0.0.1", "listening on", @"\x03", 0 },
        { "udp-time-server --port 0 --host 127.0.0.1", "listening on", @"\x03", 0 },
        { "tcp-client 127.0.0.1 --port 1 --message hi", string.Empty, string.Empty, 1 },
        { "tcp-client --port x", string.Empty, string.Empty, 2 },
        { "tcp-server --help", string.Empty, string.Empty, 0 },
        { "help udp-time-client", string.Empty, string.Empty, 0 },
        { "--help", string.Empty, string.Empty, 0 },
    };

    [SkippableTheory]
    [MemberData(nameof(Commands))]
    public async Task OnATerminal_EveryCommand_LeavesItsModesAsFound_AndSendsNoKeypadMode(string arguments, string waitFor, string type, int exitCode)
    {
        List<string> steps = type.Length > 0 ? ["--on", waitFor, "type:" + type] : [];
        var run = await RunAsync([.. steps, "--", netkit.Path, .. arguments.Split(' ')]);

        Assert.Equal(exitCode, run.Exit);
        AssertNoModeSequences(run);
        Assert.Equal(run.Before, run.After);
    }

    [SkippableFact]
    public async Task ChatMode_OnATerminal_LeavesItsModesAsFound_AndSendsNoKeypadMode()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--mode", "echo", "--port", "0", "--host", "127.0.0.1", "-v", "quiet");
        using (server)
        {
            // The terminal echoes the typed line, then the server's echo of it arrives; Ctrl+D ends the chat.
            var run = await RunAsync(["--on", string.Empty, @"type:hello\n", "--on", "hello\r\nhello\r\n", @"type:\x04", "--",
                netkit.Path, "tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "-i"]);

            Assert.Equal(0, run.Exit);
            Assert.Equal("hello\r\nhello\r\nsending completed.\r\n", run.Shown);
            Assert.Equal(run.Before, run.After);
        }
    }

    [SkippableFact]
    public async Task KilledWhileAPromptWaits_TheTerminalKeepsItsModes()
    {
        // SIGKILL runs no cleanup: whatever mode a reader set for itself (echo off, no line editing)
        // would stay, and the shell after it would not echo what is typed.
        var run = await RunAsync(["--on", "input server ip address :", "pause:0.5", "--on", string.Empty, "kill:KILL", "--", netkit.Path, "tcp-client"]);

        Assert.Equal(-9, run.Exit);
        Assert.Equal(run.Before, run.After);
        AssertNoModeSequences(run);
    }

    [SkippableFact]
    public async Task CtrlCAtAPrompt_Exits130_AndLeavesTheCursorAtTheStartOfAFreshLine()
    {
        var run = await RunAsync(["--on", "input server ip address :", @"type:\x03", "--", netkit.Path, "tcp-client"]);

        Assert.Equal(130, run.Exit);

        // The terminal echoes ^C itself (ECHOCTL); netkit ends the line after it.
        Assert.Matches(@"input server ip address :(\^C)?\r\n$", run.Shown);
    }

    [SkippableFact]
    public async Task ALongTransfer_ShowsEachDirectionsRate_AndAStatusLineErasesTheProgressFirst()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--mode", "echo", "--port", "0", "--host", "127.0.0.1", "-v", "quiet");
        using (server)
        {
            // 4 MiB each way at once, then stdin stays open until the progress shows; its end makes
            // netkit say "sending completed." while the progress line is on the terminal.
            var run = await RunAsync(["--stdin-pipe", "--stdout-null", "--on", string.Empty, "feed:4194304", "--on", " received (", "close", "--",
                netkit.Path, "tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)]);

            Assert.Equal(0, run.Exit);
            const string progress = @"\d+\.\d+ [KMG]iB sent \(\d+(\.\d+)? (B|[KMG]iB)/s\), \d+\.\d+ [KMG]iB received \(\d+(\.\d+)? (B|[KMG]iB)/s\)";
            Assert.Matches($"^{progress}{Regex.Escape(Erase)}sending completed\\.\r\n", run.Shown);

            // The last figures stay, on a line of their own: after the erased progress line, or,
            // when the progress was not drawn again after "sending completed." (a busy machine
            // coalesces redraws), right after that line's end.
            Assert.Matches($"(\r\n|{Regex.Escape(Erase)})4\\.0 MiB sent \\([^)]+\\), 4\\.0 MiB received \\([^)]+\\)\r\n$", run.Shown);
            AssertNoModeSequences(run);
        }
    }

    [SkippableFact]
    public async Task WithStdoutOnTheSameTerminal_NoProgressIsDrawnOverTheData()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--mode", "echo", "--port", "0", "--host", "127.0.0.1", "-v", "quiet");
        using (server)
        {
            // The data comes back to the terminal; the progress would have shown after half a second.
            var run = await RunAsync(["--stdin-pipe", "--on", string.Empty, "feed:2097152", "--on", string.Empty, "pause:1.5", "--on", string.Empty, "close", "--",
                netkit.Path, "tcp-client", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)]);

            Assert.Equal(0, run.Exit);
            Assert.DoesNotContain(" received", run.Shown, StringComparison.Ordinal);
            Assert.Contains("sending completed.\r\n", run.Shown, StringComparison.Ordinal);
        }
    }

    private static void AssertNoModeSequences(TerminalRun run)
    {
        Assert.DoesNotContain(Keypad, run.Shown, StringComparison.Ordinal);
        Assert.DoesNotContain(KeypadApplication, run.Shown, StringComparison.Ordinal);
    }

    private static async Task<TerminalRun> RunAsync(string[] arguments)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "drives a pty with Linux's termios");
        using var fixture = Tutorial.StartPython("terminal.py", arguments);
        fixture.CloseStdin();
        var code = await fixture.WaitForExitAsync(Limit);
        Assert.True(code == 0, $"terminal.py exited {code}: {fixture.Stderr}");
        using var report = JsonDocument.Parse(fixture.Stdout);
        var root = report.RootElement;
        var run = new TerminalRun(
            root.GetProperty("before").GetString()!,
            root.GetProperty("after").GetString()!,
            root.GetProperty("exit").GetInt32(),
            root.GetProperty("shown").GetString()!);
        Assert.False(root.GetProperty("timedOut").GetBoolean(), $"netkit still ran after 30 s; the terminal showed: {run.Shown}");
        return run;
    }

    private sealed record TerminalRun(string Before, string After, int Exit, string Shown);
}
