using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Netkit.Output;
using Netkit.Tests.Support;

namespace Netkit.Tests.Output;

public sealed class StatusWriterTests
{
    private static readonly DateTimeOffset Moment = new(2026, 12, 1, 12, 0, 0, 123, 456, TimeSpan.FromHours(2));

    [Fact]
    public void As_json_an_event_is_one_compact_line_with_a_utc_microsecond_timestamp()
    {
        var stderr = new StringWriter();
        Writer(stderr, LogFormat.Json).Write(LogLevel.Information, "Listening", "listening on [::]:40123 (tcp)", ("address", "::"), ("port", 40123), ("transport", "tcp"));

        Assert.Equal(
            """{"timestamp":"2026-12-01T10:00:00.123456Z","level":"info","category":"netkit","event":"Listening","message":"listening on [::]:40123 (tcp)","fields":{"address":"::","port":40123,"transport":"tcp"}}""" + Environment.NewLine,
            stderr.ToString());
    }

    [Fact]
    public void As_json_control_characters_and_line_breaks_stay_inside_the_one_line()
    {
        var stderr = new StringWriter();
        Writer(stderr, LogFormat.Json).Write(LogLevel.Warning, "Note", "two\nlines \u001b[2J\u0007\r\u009b", ("bad", "\ud800 lone"));

        var text = stderr.ToString();
        var line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(text, c => char.IsControl(c) && c != '\n');
        using var json = JsonDocument.Parse(line);
        Assert.Equal("two\nlines \u001b[2J\u0007\r\u009b", json.RootElement.GetProperty("message").GetString());
        Assert.Equal("warning", json.RootElement.GetProperty("level").GetString());
    }

    [Fact]
    public void Fields_keep_their_kind_numbers_durations_times_and_counts()
    {
        var stderr = new StringWriter();
        var drops = new[] { KeyValuePair.Create("acl", 3L), KeyValuePair.Create("rate-limit", 120L) };
        Writer(stderr, LogFormat.Json).Write(LogLevel.Debug, "E", "m",
            ("n", 5L), ("none", null), ("flag", true), ("wait", TimeSpan.FromMilliseconds(1500)), ("at", Moment), ("drops", drops));

        using var json = JsonDocument.Parse(stderr.ToString());
        var fields = json.RootElement.GetProperty("fields");
        Assert.Equal(5, fields.GetProperty("n").GetInt64());
        Assert.Equal(JsonValueKind.Null, fields.GetProperty("none").ValueKind);
        Assert.True(fields.GetProperty("flag").GetBoolean());
        Assert.Equal(1.5, fields.GetProperty("wait").GetDouble());
        Assert.Equal("2026-12-01T10:00:00.123456Z", fields.GetProperty("at").GetString());
        Assert.Equal(120, fields.GetProperty("drops").GetProperty("rate-limit").GetInt64());
        Assert.Equal("debug", json.RootElement.GetProperty("level").GetString());
    }

    [Theory]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Warning, "<4>")]
    [InlineData(LogLevel.Information, "<6>")]
    [InlineData(LogLevel.Debug, "<7>")]
    public void As_systemd_every_line_starts_with_its_priority(LogLevel level, string prefix)
    {
        var stderr = new StringWriter();
        Writer(stderr, LogFormat.Systemd).Write(level, "Note", "first\nsecond");

        Assert.Equal($"{prefix}first\n{prefix}second" + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public void As_simple_text_is_the_message_alone_and_a_prompt_waits_on_its_line()
    {
        var stderr = new StringWriter();
        var writer = Writer(stderr, LogFormat.Simple);
        writer.Write(LogLevel.Information, "Listening", "listening on 127.0.0.1:7 (tcp)", ("port", 7));
        writer.Prompt("input server ip address :");

        Assert.Equal("listening on 127.0.0.1:7 (tcp)" + Environment.NewLine + "input server ip address :", stderr.ToString());
    }

    [Fact]
    public void As_json_a_prompt_is_a_whole_line()
    {
        var stderr = new StringWriter();
        Writer(stderr, LogFormat.Json).Prompt("input server ip address :");

        var text = stderr.ToString();
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("Prompt", json.RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public async Task A_kept_line_passes_a_full_queue()
    {
        var target = new GatedStream(open: false);
        var queue = new LineQueueWriter(target, capacity: 10);
        var writer = Writer(queue, LogFormat.Systemd);
        queue.WriteLine("first");
        await target.Entered.WaitAsync(Loopback.Patience);
        writer.Write(LogLevel.Information, "Note", "dropped: far too long for the queue");
        writer.WriteKept(LogLevel.Error, "Error", "netkit: error: kept");
        target.Open();

        Assert.True(queue.Drain(Loopback.Patience));
        Assert.Equal("first\n<3>netkit: error: kept\n", target.Text);
        Assert.Equal(1, queue.Dropped);
    }

    private static StatusWriter Writer(TextWriter target, LogFormat format)
    {
        var time = new FakeTimeProvider(Moment);
        return new StatusWriter(target, format, time);
    }
}
