using System.Collections;
using Microsoft.Extensions.Logging;

namespace Netkit.Core.Diagnostics;

/// <summary>
/// The state of every log call netkit makes: the message, already formatted, and its values by
/// name, the way <c>[LoggerMessage]</c> states read (the values in template order, then
/// <c>{OriginalFormat}</c>), so a formatter that writes fields (the JSON lines) finds them. One
/// class for every message, on purpose: each distinct state type makes the AOT compiler copy the
/// console logger's and the formatters' generic code once more; the generated per-message structs
/// cost about 70 KB of the native binary. Made only when the level is enabled (see <see cref="Write"/>).
/// </summary>
public sealed class LogLine : IReadOnlyList<KeyValuePair<string, object?>>
{
    private static readonly Func<LogLine, Exception?, string> Format = static (line, _) => line.Message;

    private readonly KeyValuePair<string, object?>[] _values;

    private LogLine(string message, string template, ReadOnlySpan<(string Name, object? Value)> values)
    {
        Message = message;
        _values = new KeyValuePair<string, object?>[values.Length + 1];
        for (var i = 0; i < values.Length; i++)
        {
            _values[i] = new(values[i].Name, values[i].Value);
        }

        _values[^1] = new("{OriginalFormat}", template);
    }

    /// <summary>The message as shown.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public int Count => _values.Length;

    /// <inheritdoc/>
    public KeyValuePair<string, object?> this[int index] => _values[index];

    /// <summary>
    /// Logs <paramref name="message"/> (made by the caller from <paramref name="template"/>'s values, which
    /// <paramref name="values"/> names) at <paramref name="level"/> as event <paramref name="id"/>; the caller
    /// has checked <see cref="ILogger.IsEnabled"/>, so nothing is formatted for a level that is off.
    /// </summary>
    public static void Write(ILogger logger, LogLevel level, EventId id, string template, string message, params ReadOnlySpan<(string Name, object? Value)> values)
        => logger.Log(level, id, new LogLine(message, template, values), null, Format);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => Message;
}
