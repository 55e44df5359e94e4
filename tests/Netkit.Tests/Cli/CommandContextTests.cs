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

    private static CommandContext Context(TextWriter status)
        => new(new LoggerFactory(), status, quiet: false, CancellationToken.None, CancellationToken.None);
}
