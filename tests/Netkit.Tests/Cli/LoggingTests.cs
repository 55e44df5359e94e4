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

    [Theory]
    [InlineData(false, false, LogLevel.Information, "info: tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    [InlineData(false, false, LogLevel.Trace, "trce: tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    [InlineData(false, false, LogLevel.Error, "fail: tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    [InlineData(false, true, LogLevel.Information, "\u001b[40m\u001b[32minfo\u001b[39m\u001b[22m\u001b[49m: tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    [InlineData(false, true, LogLevel.Warning, "\u001b[40m\u001b[1m\u001b[33mwarn\u001b[39m\u001b[22m\u001b[49m: tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    [InlineData(true, false, LogLevel.Information, "<6>tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    [InlineData(true, true, LogLevel.Warning, "<4>tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    [InlineData(true, false, LogLevel.Debug, "<7>tcp-server[1] #1 connection from 127.0.0.1:5000\n")]
    public void A_text_log_line_is_the_runtime_formatters_line(bool systemd, bool color, LogLevel level, string expected)
    {
        var output = new StringWriter();
        var entry = new LogEntry<string>(level, "tcp-server", new EventId(1, "Accepted"), "", null, (_, _) => "#1 connection from 127.0.0.1:5000");
        new TextLineFormatter(systemd, color).Write(entry, null, output);
        Assert.Equal(expected, output.ToString());
    }

    [Fact]
    public void A_text_log_line_stays_one_line()
    {
        var output = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Warning, "tcp-client", new EventId(9), "", new IOException("x"), (_, _) => "two\r\nlines\nand\rmore");
        new TextLineFormatter(systemd: false, color: false).Write(entry, null, output);
        Assert.Equal("warn: tcp-client[9] two lines and more IOException\n", output.ToString());
    }

    [Fact]
    public void The_factory_logs_at_and_above_the_verbosity_only()
    {
        using var loggers = Logging.Create("normal", LogFormat.Simple, TimeProvider.System);
        var logger = loggers.CreateLogger("tcp-server");
        Assert.True(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Critical));
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.False(logger.IsEnabled(LogLevel.None));
    }
}
