using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Netkit.Cli;
using Netkit.Output;

namespace Netkit.Tests.Cli;

public sealed class LoggingTests
{
    [Theory]
    [InlineData("Json", "tcp-server", "--log-format", "json")]
    [InlineData("Json", "--log-format=json", "tcp-client")]
    [InlineData("Systemd", "tcp-server", "--log-format:systemd", "--nope")]
    [InlineData("Systemd", "--log-format", "json", "x", "--log-format", "systemd")]
    [InlineData("Simple", "tcp-server", "--log-format", "xml")]
    [InlineData("Simple", "tcp-server", "--log-format")]
    [InlineData("Simple", "tcp-client", "--", "--log-format", "json")]
    [InlineData("Simple")]
    public void The_format_of_a_command_line_that_may_not_parse_is_its_last_log_format(string expected, params string[] args)
        => Assert.Equal(Enum.Parse<LogFormat>(expected), Logging.ScanFormat(args));

    [Theory]
    [InlineData(null, false, true)]
    [InlineData("", false, true)]
    [InlineData("1", false, false)]
    [InlineData(null, true, false)]
    public void Colour_only_for_a_terminal_and_never_with_NO_COLOR(string? noColor, bool stderrRedirected, bool expected)
        => Assert.Equal(expected, Logging.UseColor(noColor, stderrRedirected));

    [Fact]
    public void A_log_line_in_json_has_the_status_lines_schema_with_its_template_values_as_fields()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, 0, 1, TimeSpan.Zero));
        var formatter = new JsonLineFormatter(time);
        var state = new List<KeyValuePair<string, object?>>
        {
            new("Id", 3),
            new("BytesIn", 5L),
            new("Timeout", TimeSpan.FromSeconds(5)),
            new("{OriginalFormat}", "#{Id} closed ({BytesIn} bytes in) {Timeout}"),
        };
        var entry = new LogEntry<List<KeyValuePair<string, object?>>>(LogLevel.Information, "tcp-server", new EventId(3, "Closed"), state, new IOException("disk"), (_, _) => "#3 closed (5 bytes in)");
        var output = new StringWriter();
        formatter.Write(entry, null, output);

        Assert.Equal(
            """{"timestamp":"2026-12-01T12:00:00.000001Z","level":"info","category":"tcp-server","event":"Closed","eventId":3,"message":"#3 closed (5 bytes in)","fields":{"id":3,"bytesIn":5,"timeout":5,"exception":"IOException"}}""" + "\n",
            output.ToString());
        using var json = JsonDocument.Parse(output.ToString());
    }
}
