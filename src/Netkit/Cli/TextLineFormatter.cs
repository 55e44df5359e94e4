using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Netkit.Cli;

/// <summary>
/// The console logger's text formats, one line per entry: <c>simple</c> (<c>info: tcp-server[1]
/// #1 connection from ...</c>, the level coloured for a terminal) and <c>systemd</c> (<c>&lt;6&gt;tcp-server[1]
/// ...</c>, the syslog severity journald reads). The same lines as the runtime's own simple
/// (single-line) and systemd formatters, which can only be set up through dependency injection and
/// configuration binding: a quarter of a megabyte of binary that netkit does not otherwise need.
/// </summary>
internal sealed class TextLineFormatter(bool systemd, bool color) : ConsoleFormatter(systemd ? SystemdName : SimpleName)
{
    public const string SimpleName = "netkit-simple";
    public const string SystemdName = "netkit-systemd";

    // The escape sequences the runtime's formatter writes: background, foreground, text, resets.
    private const string ResetColors = "\u001b[39m\u001b[22m\u001b[49m";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var level = logEntry.LogLevel;
        if (systemd)
        {
            textWriter.Write(Severity(level));
        }
        else if (color)
        {
            textWriter.Write(Colors(level));
            textWriter.Write(LevelName(level));
            textWriter.Write(ResetColors);
            textWriter.Write(": ");
        }
        else
        {
            textWriter.Write(LevelName(level));
            textWriter.Write(": ");
        }

        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write("] ");
        textWriter.Write(OneLine(message));
        if (logEntry.Exception is { } exception)
        {
            // The type only: with UseSystemResourceKeys a runtime exception's message is a resource key.
            textWriter.Write(' ');
            textWriter.Write(exception.GetType().Name);
        }

        textWriter.Write('\n');
    }

    private static string OneLine(string? message) =>
        string.IsNullOrEmpty(message) || message.AsSpan().IndexOfAny('\r', '\n') < 0
            ? message ?? ""
            : message.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private static string Severity(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "<7>",
        LogLevel.Information => "<6>",
        LogLevel.Warning => "<4>",
        LogLevel.Error => "<3>",
        _ => "<2>",
    };

    // Gray, dark green, bright yellow on black; black and bright white on dark red.
    private static string Colors(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "\u001b[40m\u001b[37m",
        LogLevel.Information => "\u001b[40m\u001b[32m",
        LogLevel.Warning => "\u001b[40m\u001b[1m\u001b[33m",
        LogLevel.Error => "\u001b[41m\u001b[30m",
        _ => "\u001b[41m\u001b[1m\u001b[37m",
    };
}
