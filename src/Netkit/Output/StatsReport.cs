using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Tcp;

namespace Netkit.Output;

/// <summary>
/// A TCP server's live stats as one status line (event <c>Stats</c>): for <c>/stats</c>, SIGUSR1 and
/// every <c>--stats-interval</c> alike. As text:
/// <c>stats: 2 connection(s) now, peak 5, 17 in all, 0 rejected, 1234 bytes in, 2345 bytes out, drops: none, errors: 0, replies: 40, p50 12us, p99 80us, max 1.2ms; top talkers: 127.0.0.1 17 connection(s) 3579 bytes</c>;
/// as JSON, one object whose fields carry the same figures (docs/cli.md).
/// </summary>
internal static class StatsReport
{
    public static void Write(StatusWriter output, TcpServerStats stats)
    {
        var c = stats.Counters;
        var r = stats.ReplyTimes;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"stats: {stats.Current} connection(s) now, peak {stats.Peak}, {c.Accepted} in all, {c.Rejected} rejected, {c.BytesIn} bytes in, {c.BytesOut} bytes out, drops: {c.DescribeDrops()}, errors: {c.Errors}, ");
        text.Append(Replies(r)).Append("; top talkers: ");
        var talkers = new List<KeyValuePair<string, long>>(stats.TopTalkers.Count);
        foreach (var t in stats.TopTalkers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(talkers.Count > 0 ? ", " : "")}{t.Address} {t.Connections} connection(s) {t.BytesIn + t.BytesOut} bytes");
            talkers.Add(KeyValuePair.Create(t.Address, t.BytesIn + t.BytesOut));
        }

        if (talkers.Count == 0)
        {
            text.Append("none");
        }

        output.Write(LogLevel.Information, "Stats", text.ToString(),
            ("current", stats.Current), ("peak", stats.Peak), ("connections", c.Accepted), ("rejected", c.Rejected),
            ("bytesIn", c.BytesIn), ("bytesOut", c.BytesOut), ("drops", c.DropCounts()), ("errors", c.Errors),
            ("replies", r.Count), ("replyTimes", ReplyMicroseconds(r)), ("topTalkers", talkers));
    }

    /// <summary>A time server's stats line: <c>stats: 120 request(s), 118 replied, 2 dropped (rate-limit 2), 0 error(s), 0 bytes in, 472 bytes out, replies: 118, p50 9us, p99 40us, max 80us; top talkers: 127.0.0.1 120 request(s)</c>
    /// (and <c>, 1 kiss-o'-death sent</c> after the errors when there were any). The drops are those
    /// with a reason: a request being answered right now is not one.</summary>
    public static void WriteUdp(StatusWriter output, Core.Udp.UdpServerStats stats)
    {
        var c = stats.Counters;
        var dropped = c.DroppedForAReason;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"stats: {c.Requests} request(s), {c.Replies} replied, {dropped} dropped ({c.DescribeDrops()}), {c.Errors} error(s){Kisses(c)}, {c.BytesIn} bytes in, {c.BytesOut} bytes out, ");
        text.Append(Replies(stats.ReplyTimes)).Append("; top talkers: ");
        foreach (var t in stats.TopTalkers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(t == stats.TopTalkers[0] ? "" : ", ")}{t.Address} {t.Connections} request(s)");
        }

        if (stats.TopTalkers.Count == 0)
        {
            text.Append("none");
        }

        output.Write(LogLevel.Information, "Stats", text.ToString(),
            ("requests", c.Requests), ("replied", c.Replies), ("dropped", dropped), ("drops", c.DropCounts()), ("errors", c.Errors), ("kissOfDeath", c.KissesOfDeath),
            ("bytesIn", c.BytesIn), ("bytesOut", c.BytesOut), ("replyTimes", ReplyMicroseconds(stats.ReplyTimes)), ("topTalkers", Requests(stats.TopTalkers)));
    }

    /// <summary>A time server's top talkers for JSON: address and requests.</summary>
    public static List<KeyValuePair<string, long>> Requests(IReadOnlyList<TalkerStats> talkers)
    {
        var counts = new List<KeyValuePair<string, long>>(talkers.Count);
        foreach (var t in talkers)
        {
            counts.Add(KeyValuePair.Create(t.Address, t.Connections));
        }

        return counts;
    }

    /// <summary><c>, 3 kiss-o'-death sent</c>, or nothing when none was.</summary>
    public static string Kisses(ServerCounters c) => c.KissesOfDeath == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", {c.KissesOfDeath} kiss-o'-death sent");

    /// <summary><c>replies: 40, p50 12us, p99 80us, max 1.2ms</c>, or <c>replies: 0</c>.</summary>
    public static string Replies(LatencyHistogram r) => r.Count == 0
        ? "replies: 0"
        : string.Create(CultureInfo.InvariantCulture, $"replies: {r.Count}, p50 {Time(r.Percentile(0.5))}, p99 {Time(r.Percentile(0.99))}, max {Time(r.Max)}");

    /// <summary>A short time: <c>850ns</c>, <c>12.5us</c>, <c>1.25ms</c>, <c>2.5s</c>.</summary>
    public static string Time(long nanoseconds) => nanoseconds switch
    {
        < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds}ns"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:0.#}us"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.##}ms"),
        _ => DurationText.Format(TimeSpan.FromTicks(nanoseconds / 100)),
    };

    /// <summary>p50, p99 and max in whole microseconds, for the JSON forms.</summary>
    public static List<KeyValuePair<string, long>> ReplyMicroseconds(LatencyHistogram r) =>
    [
        // Whole microseconds: the JSON counts objects hold integers.
        KeyValuePair.Create("p50Us", r.Percentile(0.5) / 1000),
        KeyValuePair.Create("p99Us", r.Percentile(0.99) / 1000),
        KeyValuePair.Create("maxUs", r.Max / 1000),
    ];
}
