using Microsoft.Extensions.Logging;
using Netkit.Cli;
using Netkit.Output;
using Netkit.Tests.Support;

namespace Netkit.Tests.Cli;

public sealed class CommandContextTests
{
    [Fact]
    public void The_summary_says_nothing_of_drops_when_there_were_none()
    {
        var status = new StringWriter();
        Context(status).WriteSummary("summary: 3 connection(s)");

        Assert.Equal("summary: 3 connection(s)" + Environment.NewLine, status.ToString());
    }

    [Fact]
    public async Task The_summary_counts_the_log_lines_a_stalled_stderr_dropped_and_is_not_dropped_itself()
    {
        var stderr = new GatedStream(open: false);
        var status = new LineQueueWriter(stderr, capacity: 6);
        status.WriteLine("taken");
        await stderr.Entered.WaitAsync(Loopback.Patience);
        status.WriteLine("dropped 1");
        status.WriteLine("dropped 2");
        status.WriteLine("dropped 3");

        Context(status).WriteSummary("summary: 3 connection(s)");
        stderr.Open();

        Assert.True(status.Drain(Loopback.Patience));
        Assert.Equal("taken\nsummary: 3 connection(s), 3 log line(s) dropped\n", stderr.Text);
    }

    [Fact]
    public void As_json_the_summary_is_one_line_with_its_counts_and_the_dropped_log_lines_as_fields()
    {
        var status = new StringWriter();
        Context(status, LogFormat.Json).WriteSummary("summary: 3 connection(s)", ("connections", 3L));

        var line = Assert.Single(status.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal("Summary", json.RootElement.GetProperty("event").GetString());
        Assert.Equal("summary: 3 connection(s)", json.RootElement.GetProperty("message").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("fields").GetProperty("connections").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("fields").GetProperty("droppedLogLines").GetInt64());
    }

    [Fact]
    public void Listening_names_address_port_and_transport()
    {
        var status = new StringWriter();
        Context(status, LogFormat.Json).Listening(new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Any, 40123), "tcp");

        using var json = System.Text.Json.JsonDocument.Parse(status.ToString());
        Assert.Equal("listening on [::]:40123 (tcp)", json.RootElement.GetProperty("message").GetString());
        var fields = json.RootElement.GetProperty("fields");
        Assert.Equal("::", fields.GetProperty("address").GetString());
        Assert.Equal(40123, fields.GetProperty("port").GetInt32());
        Assert.Equal("tcp", fields.GetProperty("transport").GetString());
    }

    [Fact]
    public void Quiet_says_nothing_but_still_says_where_it_listens()
    {
        var status = new StringWriter();
        var context = new CommandContext(new LoggerFactory(), new StatusWriter(status, LogFormat.Systemd, TimeProvider.System), quiet: true, CancellationToken.None, CancellationToken.None);
        context.Say("sending completed.");
        context.Listening(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 7), "udp");

        Assert.Equal("<6>listening on 127.0.0.1:7 (udp)" + Environment.NewLine, status.ToString());
    }

    private static CommandContext Context(TextWriter status, LogFormat format = LogFormat.Simple)
        => new(new LoggerFactory(), new StatusWriter(status, format, TimeProvider.System), quiet: false, CancellationToken.None, CancellationToken.None);
}
