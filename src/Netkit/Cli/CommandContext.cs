using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Netkit.Core.Sockets;
using Netkit.Operator;
using Netkit.Output;

namespace Netkit.Cli;

/// <summary>What a running command gets: loggers, the status channel (stderr) and the stop signal.</summary>
internal sealed class CommandContext(ILoggerFactory loggers, StatusWriter status, bool quiet, CancellationToken stop, CancellationToken abort)
{
    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>Fires on SIGINT or SIGTERM (repeats within <see cref="StopRequest.RepeatWindow"/> are the same stop).</summary>
    public CancellationToken Stop { get; } = stop;

    /// <summary>Fires when a later repeat forces the stop: cut the drain short (reset what is left), still
    /// print the summary. The process then exits 130, within <see cref="CommandHost.ForcedExitBound"/> at most.</summary>
    public CancellationToken Abort { get; } = abort;

    /// <summary>stderr, for prompts and status lines that scripts may read, in the <c>--log-format</c> asked for.</summary>
    public StatusWriter Status { get; } = status;

    /// <summary>True with <c>-v quiet</c>: only errors and the lines scripts need are written.</summary>
    public bool Quiet { get; } = quiet;

    /// <summary>True when stdin is a terminal (prompts make sense).</summary>
    public static bool InteractiveInput => !Console.IsInputRedirected;

    /// <summary>Writes out every queued log line (the console logger writes on a background thread),
    /// so a closing status line comes after them. Logging stops here.</summary>
    public void FlushLogs() => Loggers.Dispose();

    /// <summary>
    /// The tutorial's prompts, on stderr, only when stdin is a terminal (a script cannot answer).
    /// The read gives way to Ctrl+C, which then exits 130 like any interrupted client. Ctrl+C and
    /// Ctrl+D leave the cursor after the prompt, so the line is ended for them: what follows (the
    /// shell's prompt, the error line) starts a line of its own.
    /// </summary>
    public async Task<string> PromptAsync(string prompt, string missing)
    {
        if (!InteractiveInput)
        {
            throw new UsageException(missing);
        }

        Status.Prompt(prompt);
        string? line;
        try
        {
            line = await TerminalLine.ReadAsync(Stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            EndPromptLine();
            throw;
        }

        if (line is null)
        {
            EndPromptLine();
        }

        return string.IsNullOrWhiteSpace(line) ? throw new UsageException(missing) : line.Trim();
    }

    /// <summary>A server's <c>listening on ADDRESS:PORT (tcp|udp)</c>, written even when quiet: scripts wait for it.</summary>
    public void Listening(EndPoint endpoint, string transport)
    {
        var ip = endpoint as IPEndPoint;
        Status.Write(LogLevel.Information, "Listening", $"listening on {EndpointText.Format(endpoint)} ({transport})",
            ("address", ip?.Address.ToString()), ("port", ip?.Port), ("transport", transport));
    }

    // Ctrl+C or Ctrl+D at a prompt: the cursor goes to a fresh line, on the terminal (a JSON prompt
    // is a line already, and a file of JSON lines gets no empty one).
    private void EndPromptLine()
    {
        if (Status.Format != LogFormat.Json || !Console.IsErrorRedirected)
        {
            Status.Target.WriteLine();
        }
    }

    /// <summary>
    /// Writes a server's closing <c>summary:</c> line after every queued log line, saying how many
    /// log lines a stalled stderr could not take (<c>, N log line(s) dropped</c>; the field
    /// <c>droppedLogLines</c>) when there were any. The summary itself is never dropped for want of room.
    /// </summary>
    public void WriteSummary(string summary, params ReadOnlySpan<(string Name, object? Value)> fields)
    {
        FlushLogs();
        var dropped = (Status.Target as LineQueueWriter)?.Dropped ?? 0;
        Status.WriteKept(LogLevel.Information, "Summary", dropped > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{summary}, {dropped} log line(s) dropped")
            : summary,
            [.. fields, ("droppedLogLines", dropped)]);
    }

    /// <summary>Writes an informational status line unless quiet.</summary>
    public void Say(string line, string name = "Note")
    {
        if (!Quiet)
        {
            Status.Write(LogLevel.Information, name, line);
        }
    }
}
