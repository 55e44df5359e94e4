using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Sockets;

namespace Netkit.Output;

/// <summary>
/// One stderr line of <c>--log-format json</c>, the one schema that log lines and status lines
/// share (docs/cli.md documents it):
/// <c>{"timestamp":"2026-12-01T12:00:00.123456Z","level":"info","category":"netkit","event":"Listening","message":"listening on [::]:40123 (tcp)","fields":{...}}</c>;
/// a log line also has its <c>eventId</c>. Written with <see cref="Utf8JsonWriter"/> (no
/// reflection, so the AOT binary needs no metadata), compact, so it is one line: every control
/// character in a value is escaped.
/// </summary>
internal sealed class JsonLogLine
{
    /// <summary>The category of the lines netkit writes itself (log lines carry their logger's).</summary>
    public const string StatusCategory = "netkit";

    private static readonly JsonWriterOptions Options = new()
    {
        // Escapes what JSON requires and every control character, but leaves '+', '<', '&', '\''
        // and non-ASCII letters readable; nothing here is embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;

    /// <summary>Begins the line: everything but the fields, which <see cref="Field"/> adds.</summary>
    public JsonLogLine(DateTimeOffset time, LogLevel level, string category, string name, int? eventId, string message)
    {
        _json = new Utf8JsonWriter(_buffer, Options);
        _json.WriteStartObject();
        _json.WriteString("timestamp", Timestamp(time));
        _json.WriteString("level", LevelName(level));
        _json.WriteString("category", category);
        _json.WriteString("event", name);
        if (eventId is { } id)
        {
            _json.WriteNumber("eventId", id);
        }

        _json.WriteString("message", message);
        _json.WriteStartObject("fields");
    }

    /// <summary>The time as the lines carry it: UTC, microseconds, <c>2026-12-01T12:00:00.123456Z</c>.</summary>
    public static string Timestamp(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The level as the lines spell it: trace, debug, info, warning, error, critical.</summary>
    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "critical",
    };

    /// <summary>
    /// Adds a field. Numbers stay numbers, a duration is a number of seconds, a time an ISO 8601
    /// string, an endpoint its usual text, name/count pairs an object; anything else its invariant text.
    /// </summary>
    public JsonLogLine Field(string name, object? value)
    {
        _json.WritePropertyName(name);
        switch (value)
        {
            case null:
                _json.WriteNullValue();
                break;
            case string text:
                _json.WriteStringValue(text);
                break;
            case bool flag:
                _json.WriteBooleanValue(flag);
                break;
            case int n:
                _json.WriteNumberValue(n);
                break;
            case long n:
                _json.WriteNumberValue(n);
                break;
            case uint n:
                _json.WriteNumberValue(n);
                break;
            case ulong n:
                _json.WriteNumberValue(n);
                break;
            case double n when double.IsFinite(n):
                _json.WriteNumberValue(n);
                break;
            case TimeSpan duration:
                _json.WriteNumberValue(duration.TotalSeconds);
                break;
            case LoggedDuration { Value: { } duration }:
                _json.WriteNumberValue(duration.TotalSeconds);
                break;
            case LoggedDuration:
                _json.WriteNullValue();
                break;
            case DateTimeOffset time:
                _json.WriteStringValue(Timestamp(time));
                break;
            case IPEndPoint endpoint:
                _json.WriteStringValue(EndpointText.Format(endpoint));
                break;
            case IEnumerable<KeyValuePair<string, long>> counts:
                _json.WriteStartObject();
                foreach (var (key, count) in counts)
                {
                    _json.WriteNumber(key, count);
                }

                _json.WriteEndObject();
                break;
            default:
                _json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }

        return this;
    }

    /// <summary>Ends the line and returns it, without its newline.</summary>
    public string Finish()
    {
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
        _json.Dispose();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }
}
