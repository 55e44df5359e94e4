using System.Diagnostics;
using System.Globalization;

namespace Netkit.EndToEnd;

/// <summary>
/// A terminal emulator a test can type into and read the screen of: a tmux server of its own
/// (its own socket, no config), one window of a fixed size running one command. The screen is
/// what a person would see (after every cursor move and erase), not the bytes sent.
/// </summary>
public sealed class Tmux : IDisposable
{
    private readonly string _tmux;
    private readonly string _socket = "netkit-test-" + Guid.NewGuid().ToString("N")[..12];

    private Tmux(string tmux) => _tmux = tmux;

    /// <summary>Starts <paramref name="command"/> (a shell command line) in a <paramref name="columns"/>×<paramref name="rows"/> window.</summary>
    public static Tmux Start(string command, int columns = 120, int rows = 40)
    {
        var tmux = new Tmux(Toolchain.Require("tmux"));
        tmux.Run("-f", "/dev/null", "new-session", "-d", "-x", columns.ToString(CultureInfo.InvariantCulture), "-y", rows.ToString(CultureInfo.InvariantCulture), command);
        tmux.Run("set-option", "-g", "remain-on-exit", "on");
        return tmux;
    }

    /// <summary>Types <paramref name="text"/> as is (no key names).</summary>
    public void Type(string text) => Run("send-keys", "-l", text);

    /// <summary>Presses keys by tmux's names: Enter, Tab, C-d, C-c, Left, BSpace, ...</summary>
    public void Press(params string[] keys) => Run(["send-keys", .. keys]);

    /// <summary>The screen's lines now (a line the terminal wrapped as one), trailing blank lines dropped.</summary>
    public IReadOnlyList<string> Screen()
    {
        var lines = Run("capture-pane", "-p", "-J").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>The screen as one text, for failure messages.</summary>
    public string ScreenText => string.Join('\n', Screen());

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>, at most <paramref name="limit"/>; fails with the screen otherwise.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(Func<IReadOnlyList<string>, bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var screen = Screen();
            if (condition(screen))
            {
                return screen;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the screen never showed {what}:\n{string.Join('\n', screen)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until some line contains <paramref name="text"/>.</summary>
    public Task<IReadOnlyList<string>> WaitForTextAsync(string text, TimeSpan? limit = null)
        => WaitForAsync(s => s.Any(l => l.Contains(text, StringComparison.Ordinal)), $"'{text}'", limit);

    /// <summary>True while the window's command runs.</summary>
    public bool Running => Run("display-message", "-p", "#{pane_dead}").Trim() == "0";

    public void Dispose()
    {
        try
        {
            Run("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(_tmux) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new InvalidOperationException("tmux did not answer within 10 s");
        }

        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: {error.Trim()}");
    }
}
