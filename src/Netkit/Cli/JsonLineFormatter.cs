using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Netkit.Output;

namespace Netkit.Cli;

/// <summary>
/// The console logger's <c>--log-format json</c>: each log line one compact JSON object in the
/// schema the status lines use (<see cref="JsonLogLine"/>), with the time from the given clock.
/// The built-in JSON formatter has neither: its objects are its own and carry no timestamp unless
/// asked, and then a clock nobody can set. A message's template values become its fields, first
/// letter lowered (<c>{BytesIn}</c> is <c>bytesIn</c>); the event is the log method's name.
/// </summary>
internal sealed class JsonLineFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "netkit-json";

    private const string TemplateKey = "{OriginalFormat}";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var id = logEntry.EventId;
        var line = new JsonLogLine(time.GetUtcNow(), logEntry.LogLevel, logEntry.Category, id.Name ?? "Log", id.Id, message ?? "");
        if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            foreach (var (name, value) in values)
            {
                if (name != TemplateKey && name.Length > 0)
                {
                    line.Field(char.ToLowerInvariant(name[0]) + name[1..], value);
                }
            }
        }

        if (logEntry.Exception is { } exception)
        {
            // The type only: with UseSystemResourceKeys a runtime exception's message is a resource key.
            line.Field("exception", exception.GetType().Name);
        }

        textWriter.Write(line.Finish());
        textWriter.Write('\n');
    }
}
