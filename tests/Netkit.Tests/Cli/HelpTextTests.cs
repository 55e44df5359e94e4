using Netkit.Cli;

namespace Netkit.Tests.Cli;

public sealed class HelpTextTests
{
    public static TheoryData<string> Commands => ["tcp-server", "tcp-client", "udp-time-server", "udp-time-client", "sockopts", "help", "completion"];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_help_ends_with_examples_the_levels_sockopts_and_the_exit_codes(string command)
    {
        var help = await HelpOf(command, "--help");

        var examples = help.IndexOf("\nExamples:\n", StringComparison.Ordinal);
        Assert.True(examples > help.IndexOf("Options:", StringComparison.Ordinal), help);
        Assert.Contains("netkit " + command, help[examples..], StringComparison.Ordinal);
        Assert.Contains("netkit sockopts", help[examples..], StringComparison.Ordinal);
        Assert.Contains("detailed  also connection attempts", help, StringComparison.Ordinal);
        Assert.Contains("    6 cannot bind (address in use, permission)", help, StringComparison.Ordinal);
        Assert.Contains("  130 interrupted", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp-server")]
    [InlineData("tcp-client")]
    [InlineData("--help")]
    public async Task The_tutorials_conversation_is_shown_with_what_each_side_prints(string command)
    {
        var help = await HelpOf(command == "--help" ? [command] : [command, "--help"]);

        Assert.Contains("netkit tcp-server ", help, StringComparison.Ordinal);
        Assert.Contains("netkit tcp-client 127.0.0.1 -m hello ", help, StringComparison.Ordinal);
        Assert.Contains("#1 127.0.0.1:hello", help, StringComparison.Ordinal);
        Assert.Contains("#1 input the word :", help, StringComparison.Ordinal);
        Assert.Contains("sending completed.", help, StringComparison.Ordinal);
        Assert.Contains("I get it!", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Examples_write_durations_as_people_do()
    {
        var help = await HelpOf("tcp-server", "--help") + await HelpOf("udp-time-client", "--help");

        Assert.Contains("--idle-timeout 30s", help, StringComparison.Ordinal);
        Assert.Contains("--timeout 500ms", help, StringComparison.Ordinal);
        Assert.DoesNotContain("00:00:", help[help.IndexOf("Examples:", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    // An example that does not parse teaches the wrong thing: each one is parsed as netkit would.
    [Fact]
    public void Every_example_command_parses()
    {
        var root = NetkitCli.Build();
        var checkedLines = 0;
        foreach (var name in new[] { "netkit" }.Concat(root.Subcommands.Select(c => c.Name)))
        {
            foreach (var line in HelpText.ExamplesOf(name).Select(l => l.Trim()).Where(l => l.StartsWith("netkit ", StringComparison.Ordinal)))
            {
                var command = line.Split([" # ", " < ", " > ", " >> ", " | "], StringSplitOptions.None)[0];
                var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(w => w.Trim('\'')).ToArray();
                var result = root.Parse(words);
                Assert.True(result.Errors.Count == 0, $"{line}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
                checkedLines++;
            }
        }

        Assert.True(checkedLines > 20, $"{checkedLines} examples");
    }

    [Fact]
    public async Task Help_COMMAND_is_COMMAND_help()
    {
        Assert.Equal(await HelpOf("udp-time-client", "--help"), await HelpOf("help", "udp-time-client"));
        Assert.Equal(await HelpOf("--help"), await HelpOf("help"));
    }

    [Fact]
    public async Task Help_of_an_unknown_command_is_one_usage_line()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(ExitCode.Usage, await NetkitCli.RunAsync(["help", "tcp-sever\u001b[2J"], output, error));

        Assert.Equal("", output.ToString());
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("netkit: error: help: unknown command 'tcp-sever\\x1b[2J' (commands: tcp-server, ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_with_a_bad_value_still_shows_help()
    {
        var help = await HelpOf("tcp-server", "--port", "nope", "--help");
        Assert.Contains("Examples:", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_commands_list_shows_an_optional_argument_as_the_commands_usage_does()
    {
        var root = await HelpOf("--help");
        Assert.Contains("  tcp-client [<host>]  ", root, StringComparison.Ordinal);
        Assert.Contains("  udp-time-client [<host>]  ", root, StringComparison.Ordinal);
        Assert.Contains("  completion <bash|fish|pwsh|zsh>  ", root, StringComparison.Ordinal);
        Assert.Contains(" tcp-client [<host>] [options]", await HelpOf("tcp-client", "--help"), StringComparison.Ordinal);
    }

    private static async Task<string> HelpOf(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(ExitCode.Ok, await NetkitCli.RunAsync(args, output, error));
        Assert.Equal("", error.ToString());
        return output.ToString();
    }
}
