using System.Globalization;
using System.Text;
using System.Text.Json;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;

namespace Netkit.Output;

/// <summary>
/// A time client's output. <c>--json</c>: JSON Lines, one compact object per reply and line (so the
/// replies of a broadcast are one line per responder), and with <c>--count</c> a last line with the
/// summary (docs/cli.md documents each field). Text: the tutorial's ctime line for a single 4-byte
/// reply; a line with offset and delay for SNTP and for repeated queries; and a ping-like summary.
/// Written by hand so the AOT binary needs no reflection.
/// </summary>
internal static class TimeReport
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false };

    /// <summary>One reply's offset (server minus us) and delay: SNTP's from its four timestamps, the 4-byte count's estimated (<see cref="TimeOffset"/>).</summary>
    public static (TimeSpan Offset, TimeSpan Delay) Measure(TimeReading reading, DateTimeOffset serverTime)
        => reading.Sntp is { } s ? (s.Offset, s.Delay) : (TimeOffset.Estimate(serverTime, reading), reading.RoundTrip);

    public static void WriteJson(Stream output, TimeReading reading, DateTimeOffset serverTime, TimeEpoch epoch)
    {
        using (var json = new Utf8JsonWriter(output, Compact))
        {
            json.WriteStartObject();
            json.WriteString("server", EndpointText.Format(reading.Server));
            json.WriteString("protocol", reading.Sntp is null ? "time" : "sntp");
            if (reading.Sntp is { } s)
            {
                json.WriteString("serverTime", JsonLogLine.Timestamp(s.ServerTime));
                json.WriteString("localTime", JsonLogLine.Timestamp(reading.LocalTime));
                json.WriteNumber("offsetSeconds", Math.Round(s.Offset.TotalSeconds, 7));
                json.WriteNumber("delayMs", Math.Round(s.Delay.TotalMilliseconds, 4));
                json.WriteNumber("roundTripMs", Math.Round(reading.RoundTrip.TotalMilliseconds, 3));
                json.WriteNumber("stratum", s.Reply.Stratum);
                json.WriteString("refid", s.ReferenceText);
                json.WriteNumber("leap", s.Reply.Leap);
                json.WriteNumber("version", s.Reply.Version);
                json.WriteNumber("precision", s.Reply.Precision);
                json.WriteNumber("rootDelayMs", Math.Round(NtpTimestamp.Short(s.Reply.RootDelay).TotalMilliseconds, 3));
                json.WriteNumber("rootDispersionMs", Math.Round(NtpTimestamp.Short(s.Reply.RootDispersion).TotalMilliseconds, 3));
            }
            else
            {
                json.WriteString("epoch", epoch == TimeEpoch.Unix ? "unix" : "rfc868");
                json.WriteNumber("value", reading.Value);
                json.WriteString("serverTime", serverTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteNumber("serverSeconds", serverTime.ToUnixTimeSeconds());
                json.WriteString("localTime", JsonLogLine.Timestamp(reading.LocalTime));
                json.WriteNumber("offsetSeconds", Math.Round(TimeOffset.Estimate(serverTime, reading).TotalSeconds, 6));
                json.WriteNumber("offsetUncertaintySeconds", Math.Round(TimeOffset.Uncertainty(reading).TotalSeconds, 6));
                json.WriteNumber("resolutionSeconds", TimeOffset.Resolution.TotalSeconds);
                json.WriteNumber("roundTripMs", Math.Round(reading.RoundTrip.TotalMilliseconds, 3));
            }

            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
    }

    /// <summary>
    /// One reply as a line: <c>Tue Dec  1 23:55:01 2026, offset +0.000123 s, delay 0.250 ms, stratum 10, refid LOCL, 127.0.0.1:123</c>
    /// (SNTP), or <c>Tue Dec  1 23:55:01 2026, offset +0.4 s ±0.50 s, round trip 0.3 ms, 127.0.0.1:37</c> (the 4-byte count).
    /// </summary>
    public static string Line(TimeReading reading, DateTimeOffset serverTime)
    {
        var server = EndpointText.Format(reading.Server);
        if (reading.Sntp is { } s)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{CTime.Format(s.ServerTime, TimeZoneInfo.Local)}, offset {Seconds(s.Offset)}, delay {Millis(s.Delay)}, stratum {s.Reply.Stratum}, refid {s.ReferenceText}, {server}");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{CTime.Format(serverTime, TimeZoneInfo.Local)}, offset {TimeOffset.Estimate(serverTime, reading).TotalSeconds:+0.0;-0.0;0.0} s ±{TimeOffset.Uncertainty(reading).TotalSeconds:0.00} s, round trip {Millis(reading.RoundTrip)}, {server}");
    }

    /// <summary>
    /// The summary of repeated queries: <c>--- 127.0.0.1:123: 6 asked, 5 sample(s), 1 lost; offset min/median/max +0.000012/+0.000030/+0.000100 s; delay min/median/max 0.080/0.100/0.300 ms</c>,
    /// or one JSON object with the same figures.
    /// </summary>
    public static void WriteSummary(Stream output, string server, int asked, TimeSpan[] offsets, TimeSpan[] delays, int lost, int kisses, string status, bool json)
    {
        if (json)
        {
            using (var writer = new Utf8JsonWriter(output, Compact))
            {
                writer.WriteStartObject();
                writer.WriteString("server", server);
                writer.WriteNumber("asked", asked);
                writer.WriteNumber("samples", offsets.Length);
                writer.WriteNumber("lost", lost);
                writer.WriteNumber("kissOfDeath", kisses);
                WriteRange(writer, "offsetSeconds", offsets, static t => Math.Round(t.TotalSeconds, 7));
                WriteRange(writer, "delayMs", delays, static t => Math.Round(t.TotalMilliseconds, 4));
                writer.WriteString("status", status);
                writer.WriteEndObject();
            }

            output.WriteByte((byte)'\n');
            return;
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"--- {server}: {asked} asked, {offsets.Length} sample(s), {lost} lost");
        if (kisses > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {kisses} kiss-o'-death");
        }

        if (offsets.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"; offset min/median/max {Seconds(offsets[0], false)}/{Seconds(Median(offsets), false)}/{Seconds(offsets[^1])}; delay min/median/max {delays[0].TotalMilliseconds:0.000}/{Median(delays).TotalMilliseconds:0.000}/{Millis(delays[^1])}");
        }

        output.Write(Encoding.UTF8.GetBytes(text.Append('\n').ToString()));
    }

    /// <summary>The samples' offsets and delays, each sorted: what the summary and the check read.</summary>
    public static (TimeSpan[] Offsets, TimeSpan[] Delays) Sorted(IReadOnlyList<(TimeSpan Offset, TimeSpan Delay)> samples)
    {
        var offsets = new TimeSpan[samples.Count];
        var delays = new TimeSpan[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            (offsets[i], delays[i]) = samples[i];
        }

        Sort(offsets);
        Sort(delays);
        return (offsets, delays);
    }

    /// <summary>Sorts spans in place (a heap sort: no generic sort helper for one more type in the binary).</summary>
    public static void Sort(TimeSpan[] items)
    {
        for (var i = (items.Length / 2) - 1; i >= 0; i--)
        {
            SiftDown(items, i, items.Length);
        }

        for (var end = items.Length - 1; end > 0; end--)
        {
            (items[0], items[end]) = (items[end], items[0]);
            SiftDown(items, 0, end);
        }
    }

    private static void SiftDown(TimeSpan[] items, int root, int length)
    {
        while ((2 * root) + 1 < length)
        {
            var child = (2 * root) + 1;
            if (child + 1 < length && items[child + 1] > items[child])
            {
                child++;
            }

            if (items[root] >= items[child])
            {
                return;
            }

            (items[root], items[child]) = (items[child], items[root]);
            root = child;
        }
    }

    /// <summary>The middle value of sorted spans (the mean of the middle two for an even count).</summary>
    public static TimeSpan Median(TimeSpan[] sorted) => sorted.Length == 0 ? TimeSpan.Zero
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary><c>+0.000123 s</c>.</summary>
    public static string Seconds(TimeSpan span, bool unit = true)
        => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:+0.000000;-0.000000;0.000000}{(unit ? " s" : "")}");

    private static string Millis(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0.000} ms");

    private static void WriteRange(Utf8JsonWriter writer, string name, TimeSpan[] sorted, Func<TimeSpan, double> value)
    {
        if (sorted.Length == 0)
        {
            writer.WriteNull(name);
            return;
        }

        writer.WriteStartObject(name);
        writer.WriteNumber("min", value(sorted[0]));
        writer.WriteNumber("median", value(Median(sorted)));
        writer.WriteNumber("max", value(sorted[^1]));
        writer.WriteEndObject();
    }
}
