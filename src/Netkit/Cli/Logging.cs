using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Netkit.Output;

namespace Netkit.Cli;

/// <summary>Builds the logger factory: every log line goes to stderr, so stdout carries data only.</summary>
internal static class Logging
{
    public static readonly string[] Formats = ["simple", "json", "systemd"];

    private const string FormatOption = "--log-format";

    /// <summary>The format a <c>--log-format</c> value names; anything else is simple.</summary>
    public static LogFormat ParseFormat(string? name) => name switch
    {
        "json" => LogFormat.Json,
        "systemd" => LogFormat.Systemd,
        _ => LogFormat.Simple,
    };

    /// <summary>
    /// The format asked for on a command line that may not parse, so that even the usage error
    /// about it is written in that format: the last <c>--log-format VALUE</c> (or <c>=VALUE</c>,
    /// <c>:VALUE</c>) before a <c>--</c>. Best effort by design: a parsed command line is read
    /// from its <see cref="System.CommandLine.ParseResult"/> instead.
    /// </summary>
    public static LogFormat ScanFormat(IReadOnlyList<string> args)
    {
        string? value = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                break;
            }

            if (arg == FormatOption && i + 1 < args.Count)
            {
                value = args[++i];
            }
            else if (arg.Length > FormatOption.Length && arg.StartsWith(FormatOption, StringComparison.Ordinal) && arg[FormatOption.Length] is '=' or ':')
            {
                value = arg[(FormatOption.Length + 1)..];
            }
        }

        return ParseFormat(value);
    }

    /// <summary>Colour only for a person: never with <c>NO_COLOR</c> set (non-empty, as no-color.org
    /// says) and never when stderr is not a terminal (a file, a pipe, journald).</summary>
    public static bool UseColor(string? noColor, bool stderrRedirected) => string.IsNullOrEmpty(noColor) && !stderrRedirected;

    public static ILoggerFactory Create(string verbosity, LogFormat format, TimeProvider time)
    {
        // Decided here, from stderr itself: the console logger's own default looks at stdout.
        var color = UseColor(Environment.GetEnvironmentVariable("NO_COLOR"), Console.IsErrorRedirected);
        ConsoleFormatter formatter = format switch
        {
            LogFormat.Json => new JsonLineFormatter(time),
            LogFormat.Systemd => new TextLineFormatter(systemd: true, color: false),
            _ => new TextLineFormatter(systemd: false, color),
        };

        // Console.Error never blocks (see LineQueueWriter), so the logger's own queue never fills;
        // should it ever, it drops rather than stall the caller, which may be the epoll thread.
        var options = new ConsoleLoggerOptions
        {
            FormatterName = formatter.Name,
            LogToStandardErrorThreshold = LogLevel.Trace,
            QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite,
        };
        return new ConsoleLoggers(new ConsoleLoggerProvider(new FixedOptions<ConsoleLoggerOptions>(options), [formatter]), Verbosity.ToLevel(verbosity));
    }
}
