using Netkit.Cli;

namespace Netkit.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("tcp-server", "--port", "70000")]
    [InlineData("tcp-server", "--port", "abc")]
    [InlineData("tcp-server", "--bogus")]
    [InlineData("tcp-server", "--idle-timeout", "soon")]
    [InlineData("tcp-server", "--mode", "chargen")]
    [InlineData("tcp-server", "--ack", "x", "--no-ack")]
    [InlineData("tcp-server", "--mode", "echo", "--reply", "x")]
    [InlineData("tcp-server", "-4", "-6")]
    [InlineData("tcp-server", "--reuse-address", "--no-reuse-address")]
    [InlineData("tcp-server", "--backlog", "0")]
    [InlineData("tcp-client", "h", "--port", "0")]
    [InlineData("tcp-client", "h", "--connect-timeout", "-2s")]
    [InlineData("tcp-client", "h", "-i", "-m", "x")]
    [InlineData("tcp-client", "a", "b")]
    [InlineData("udp-time-server", "--epoch", "1970")]
    [InlineData("udp-time-client", "h", "--retries", "-1")]
    [InlineData("udp-time-client", "h", "--timeout", "2 days")]
    [InlineData("udp-time-client", "h", "--receive-buffer", "lots")]
    [InlineData("no-such-command")]
    [InlineData("-v", "loud", "tcp-server")]
    [InlineData("--log-format", "xml", "tcp-server")]
    [InlineData("--version", "extra")]
    [InlineData("--version", "--nope")]
    [InlineData("--version", "--version")]
    [InlineData("--version", "--help")]
    [InlineData("--version", "--")]
    public async Task Bad_arguments_exit_2_with_one_line(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await NetkitCli.RunAsync(args, output, error);
        Assert.Equal(ExitCode.Usage, code);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("netkit: error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_argument_is_echoed_escaped_and_short()
    {
        var error = new StringWriter();
        Assert.Equal(ExitCode.Usage, await NetkitCli.RunAsync(["tcp-server", "--\u001b[2J" + new string('x', 500)], new StringWriter(), error));
        Assert.DoesNotContain('\u001b', error.ToString());
        Assert.Contains(@"\x1b[2J", error.ToString(), StringComparison.Ordinal);
        Assert.True(error.ToString().Length < 200, error.ToString());
    }

    [Fact]
    public async Task No_arguments_shows_help_with_the_exit_codes()
    {
        var output = new StringWriter();
        var code = await NetkitCli.RunAsync([], output, new StringWriter());
        Assert.Equal(ExitCode.Ok, code);
        Assert.Contains("tcp-server", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("6 cannot bind", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("7 cannot write output", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp-server")]
    [InlineData("tcp-client")]
    [InlineData("udp-time-server")]
    [InlineData("udp-time-client")]
    public async Task Every_command_explains_itself(string command)
    {
        var output = new StringWriter();
        Assert.Equal(ExitCode.Ok, await NetkitCli.RunAsync([command, "--help"], output, new StringWriter()));
        Assert.Contains("--port", output.ToString(), StringComparison.Ordinal);
    }
}
