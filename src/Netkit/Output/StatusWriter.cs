using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Netkit.Output;

/// <summary>
/// The one place that knows how netkit's own stderr lines look — <c>listening on</c>, the
/// <c>summary:</c>, prompts, operator notes, <c>netkit: error:</c> — so that with
/// <c>--log-format json</c> they are JSON Lines like the log lines (same schema, see
/// <see cref="JsonLogLine"/>) and with <c>systemd</c> they carry a priority like them. Each event
/// has a name, a level, the human message (exactly the simple format's text) and fields for
/// machines. Lines go to <see cref="Target"/>, stderr's <see cref="LineQueueWriter"/> in the binary,
/// so writing never blocks; the time of each JSON line comes from the given clock.
/// </summary>
internal sealed class StatusWriter(TextWriter target, LogFormat format, TimeProvider time)
{
    /// <summary>Where the lines go (stderr).</summary>
    public TextWriter Target { get; } = target;

    public LogFormat Format { get; } = format;

    /// <summary>Writes one event as one line (a multi-line message is several lines of simple or
    /// systemd text, one JSON line); a full stderr queue may drop it, and counts it.</summary>
    public void Write(LogLevel level, string name, string message, params ReadOnlySpan<(string Name, object? Value)> fields)
        => Target.WriteLine(Render(level, name, message, fields));

    /// <summary>Writes a line a run must not lose (its summary, its error): see <see cref="LineQueueWriter.WriteLineKept"/>.</summary>
    public void WriteKept(LogLevel level, string name, string message, params ReadOnlySpan<(string Name, object? Value)> fields)
        => LineQueueWriter.WriteLineKept(Target, Render(level, name, message, fields));

    /// <summary>
    /// A question for the person at the terminal: as text it ends without a newline, so the answer
    /// is typed after it; as JSON it is a whole line like any other (event <c>Prompt</c>).
    /// </summary>
    public void Prompt(string message)
    {
        if (Format == LogFormat.Json)
        {
            Target.WriteLine(Render(LogLevel.Information, "Prompt", message, []));
        }
        else
        {
            Target.Write(Render(LogLevel.Information, "Prompt", message, []));
        }

        Target.Flush();
    }

    /// <summary>The event as <see cref="Format"/> writes it, without the final newline.</summary>
    public string Render(LogLevel level, string name, string message, ReadOnlySpan<(string Name, object? Value)> fields)
    {
        switch (Format)
        {
            case LogFormat.Json:
                var line = new JsonLogLine(time.GetUtcNow(), level, JsonLogLine.StatusCategory, name, eventId: null, message);
                foreach (var (field, value) in fields)
                {
                    line.Field(field, value);
                }

                return line.Finish();
            case LogFormat.Systemd:
                // Every line of the message gets the priority: journald reads each line on its own.
                var prefix = string.Create(CultureInfo.InvariantCulture, $"<{SyslogPriority(level)}>");
                var text = new StringBuilder();
                foreach (var part in message.Split('\n'))
                {
                    text.Append(text.Length > 0 ? "\n" : "").Append(prefix).Append(part);
                }

                return text.ToString();
            default:
                return message;
        }
    }

    /// <summary>The syslog priority of a level, as journald reads it from a <c>&lt;N&gt;</c> prefix.</summary>
    public static int SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };
}
