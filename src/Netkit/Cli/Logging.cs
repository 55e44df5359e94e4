using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Netkit.Cli;

/// <summary>Builds the logger factory: every log line goes to stderr, so stdout carries data only.</summary>
internal static class Logging
{
    public static readonly string[] Formats = ["simple", "json", "systemd"];

    public static ILoggerFactory Create(string verbosity, string format)
    {
        var noColor = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } || Console.IsErrorRedirected;
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(Verbosity.ToLevel(verbosity));

            // Each AddXxxConsole picks its formatter; only one is added, so the choice stands.
            switch (format)
            {
                case "json":
                    builder.AddJsonConsole(o => o.UseUtcTimestamp = true);
                    break;
                case "systemd":
                    builder.AddSystemdConsole();
                    break;
                default:
                    builder.AddSimpleConsole(o =>
                    {
                        o.SingleLine = true;
                        o.ColorBehavior = noColor ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
                    });
                    break;
            }

            // Console.Error never blocks (see LineQueueWriter), so the logger's own queue never fills;
            // should it ever, it drops rather than stall the caller, which may be the epoll thread.
            builder.AddConsole(o =>
            {
                o.LogToStandardErrorThreshold = LogLevel.Trace;
                o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
            });
        });
    }
}
