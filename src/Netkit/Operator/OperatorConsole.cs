using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Tcp;
using Netkit.Output;

namespace Netkit.Operator;

/// <summary>
/// The operator's side of a seed server, over the server's <see cref="WordRequests"/>. From a
/// terminal, a typed line answers the client whose chunk was shown last and still waits, and
/// <c>/</c> commands manage clients; a word nobody waits for is refused, never queued. From a pipe,
/// each line answers the next waiting chunk in order. When input ends (Ctrl+D, the pipe's end,
/// /dev/null, a closed stdin) every waiting client is released and the server serves on without
/// words. Everything the console does is a hand-over to the core: it never sends on a socket, so a
/// client that does not read cannot stall it. What it tells the operator is status lines
/// (<paramref name="output"/>), so with <c>--log-format json</c> they are JSON events too.
/// </summary>
internal sealed class OperatorConsole(TcpServer server, WordRequests words, StatusWriter output, Action<string> say, Action<LogLevel> setLevel, Action stats)
{
    private ConsoleScreen? _screen;

    /// <summary>Answers chunks with the lines of <paramref name="input"/> (raw bytes), in order, until it ends or <paramref name="stop"/> fires.</summary>
    public async Task RunPipeAsync(Stream input, CancellationToken stop)
    {
        var lines = new WordLines(input);
        void TooLong() => say($"a line of stdin longer than {WordLines.MaxLength} bytes is not a word: skipped");
        try
        {
            while (await lines.ReadLineAsync(TooLong, stop).ConfigureAwait(false) is { } line)
            {
                if (await words.AnswerNextAsync(line, stop).ConfigureAwait(false) == 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return; // The server is stopping; its drain releases whoever waits.
        }
        catch (InvalidDataException e)
        {
            EndOfInput(e.Message + ": stdin is not lines of words");
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // stdin cannot be read (closed at start, a descriptor not open for reading: EBADF reads
            // as UnauthorizedAccessException): that is the end of the operator's input, said as such.
            EndOfInput(e is IOException ? "stdin cannot be read" : "stdin is closed or not open for reading");
            return;
        }

        EndOfInput("the end of stdin");
    }

    /// <summary>
    /// The interactive console, while stdin is a terminal in the foreground. With stderr a
    /// terminal too (and text logs), the line editor: the input line stays at the bottom, intact,
    /// while log lines scroll above it, and its prompt names the client a word answers. Else the
    /// terminal's own line editing, and a prompt line per waiting chunk.
    /// </summary>
    public async Task RunTerminalAsync(CancellationToken stop)
    {
        Help();
        if (output.Format != LogFormat.Json && output.Target is LineQueueWriter stderr && !Console.IsErrorRedirected && TerminalMode.Enter() is { } mode)
        {
            _screen = new ConsoleScreen(stderr, mode, PromptText, Complete);
        }

        using var closeAtStop = stop.Register(Close);
        var prompts = PromptAsync(stop);
        var lines = TerminalInput.Start(Foreground, _screen, stop);
        try
        {
            while (await lines.ReadAsync(stop).ConfigureAwait(false) is { } line)
            {
                Execute(ConsoleCommand.Parse(line));
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!stop.IsCancellationRequested)
        {
            EndOfInput("Ctrl+D");
        }

        await prompts.ConfigureAwait(false);
    }

    /// <summary>Takes the input line off the terminal and puts its modes back (the server stops). Any thread, idempotent.</summary>
    public void Close() => _screen?.Close();

    // "#3 input the word : ", naming who else waits; "(no client waits) > " when nobody does.
    private string PromptText()
    {
        var latest = words.LatestWaiting;
        if (latest == 0)
        {
            return "(no client waits) > ";
        }

        var others = words.Waiting - 1;
        return others > 0
            ? string.Create(CultureInfo.InvariantCulture, $"#{latest} input the word (+{others} waiting) : ")
            : string.Create(CultureInfo.InvariantCulture, $"#{latest} input the word : ");
    }

    private ConsoleCompletion.Result Complete(string before)
    {
        var clients = server.Snapshot();
        var ids = new List<int>(clients.Count);
        foreach (var c in clients)
        {
            ids.Add(c.Id);
        }

        return ConsoleCompletion.Complete(before, ids, words.WaitingIds());
    }

    private void EndOfInput(string what)
    {
        var released = words.End();
        say($"operator input ended ({what}): {released} client(s) waiting for a word released; serving on without words");
    }

    private bool _background;

    private void Foreground(bool foreground)
    {
        if (foreground)
        {
            words.Resume();
            if (_background)
            {
                _background = false;
                say("in the foreground: the operator console is on; chunks wait for their word again");
            }

            return;
        }

        _background = true;
        var released = words.Suspend();
        say($"in the background: the operator console is off until netkit is in the foreground again (fg); meanwhile chunks get no word ({released} waiting released; --reply WORD answers automatically)");
    }

    private async Task PromptAsync(CancellationToken stop)
    {
        try
        {
            var waits = words.WatchWaits();
            while (await waits.ReadAsync(stop).ConfigureAwait(false) is { } ticket)
            {
                if (_screen is { } screen)
                {
                    screen.Refresh(); // The input line's prompt names it.
                    continue;
                }

                var id = ticket.Id;
                output.Write(LogLevel.Information, "Prompt", $"#{id} input the word :", ("id", id));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Execute(ConsoleCommand command)
    {
        switch (command.Kind)
        {
            case ConsoleCommandKind.Word:
                if (words.AnswerLatest(Encode(command.Text)) is null)
                {
                    output.Write(LogLevel.Warning, "NotSent", "not sent: no client is waiting for a word (/list shows who is here)");
                }

                break;
            case ConsoleCommandKind.To:
                if (!words.Answer(command.Id, Encode(command.Text)))
                {
                    output.Write(LogLevel.Warning, "NotSent", $"not sent: #{command.Id} is not waiting for a word (/list shows who is here)", ("id", command.Id));
                }

                break;
            case ConsoleCommandKind.All:
                var sent = words.AnswerAll(Encode(command.Text));
                output.Write(LogLevel.Information, "SentToAll", $"sent to {sent} waiting client(s)", ("clients", sent));
                break;
            case ConsoleCommandKind.Kick:
                if (server.Kick(command.Id))
                {
                    output.Write(LogLevel.Information, "Kicked", $"#{command.Id} kicked", ("id", command.Id));
                }
                else
                {
                    output.Write(LogLevel.Warning, "NoSuchClient", $"#{command.Id}: no such client", ("id", command.Id));
                }

                break;
            case ConsoleCommandKind.List:
                List();
                break;
            case ConsoleCommandKind.Help:
                Help();
                break;
            case ConsoleCommandKind.Stats:
                stats();
                break;
            case ConsoleCommandKind.Verbosity:
                setLevel(Cli.Verbosity.ToLevel(command.Text));
                output.Write(LogLevel.Warning, "Verbosity", $"verbosity {command.Text} (/verbose LEVEL changes it: {string.Join(", ", Cli.Verbosity.Names)})", ("verbosity", command.Text));
                break;
            default:
                output.Write(LogLevel.Warning, "ConsoleUsage", command.Text);
                break;
        }
    }

    private void List()
    {
        var clients = server.Snapshot();
        output.Write(LogLevel.Information, "Clients", clients.Count == 0 ? "no clients" : $"{clients.Count} client(s):", ("count", clients.Count));
        foreach (var c in clients)
        {
            var waiting = words.IsWaiting(c.Id);
            var state = waiting ? c.Finished ? ", waiting for a word (it closed its side: FIN)" : ", waiting for a word" : "";
            output.Write(LogLevel.Information, "Client", string.Create(CultureInfo.InvariantCulture,
                $"  #{c.Id} {c.Remote} since {c.Since:HH:mm:ss}, {c.BytesIn} bytes in, {c.BytesOut} bytes out, idle {DurationText.Format(TimeSpan.FromSeconds(Math.Floor(c.Idle.TotalSeconds)))}{state}"),
                ("id", c.Id), ("remote", c.Remote), ("since", c.Since), ("bytesIn", c.BytesIn), ("bytesOut", c.BytesOut),
                ("idleSeconds", Math.Round(c.Idle.TotalSeconds, 3)), ("waiting", waiting), ("finished", c.Finished));
        }
    }

    private void Help() => output.Write(LogLevel.Information, "ConsoleHelp", ConsoleCommand.Help);

    private static byte[] Encode(string text) => Encoding.UTF8.GetBytes(text);
}
