using Netkit.Cli;
using Netkit.Completion;

namespace Netkit.Tests.Cli;

public sealed class CompletionTests
{
    private static readonly IReadOnlyList<CompletionNode> Tree = CommandTree.Walk(NetkitCli.Build());

    [Fact]
    public void The_tree_has_every_command_with_its_options_and_their_aliases()
    {
        var root = Node("netkit");
        Assert.Equal(["tcp-server", "tcp-client", "udp-time-server", "udp-time-client", "sockopts", "completion", "help"], root.Subcommands.Select(s => s.Name));
        Assert.Contains("--version", root.OptionNames);

        var server = Node("netkit tcp-server");
        Assert.Contains("--max-connections", server.OptionNames);
        Assert.Contains("-p", server.OptionNames);
        Assert.DoesNotContain("-?", server.OptionNames);
        Assert.DoesNotContain("--version", server.OptionNames);

        // Recursive options of the root reach every command.
        Assert.All(Tree.Skip(1), node => Assert.Contains("--log-format", node.OptionNames));
    }

    [Fact]
    public void An_option_that_accepts_only_some_values_offers_exactly_those()
    {
        Assert.Equal(["echo", "seed"], Option("netkit tcp-server", "--mode").Values.Order());
        Assert.Equal(["rfc868", "unix"], Option("netkit udp-time-server", "--epoch").Values.Order());
        Assert.Equal(["auto", "rfc868", "unix"], Option("netkit udp-time-client", "--epoch").Values.Order());
        Assert.Equal(["debug", "detailed", "normal", "quiet"], Option("netkit sockopts", "-v").Values.Order());
        Assert.Equal(["json", "simple", "systemd"], Option("netkit", "--log-format").Values.Order());
        Assert.Equal(["bash", "fish", "pwsh", "zsh"], Node("netkit completion").ArgumentValues.Order());
    }

    [Fact]
    public void Flags_take_no_value_and_other_options_do()
    {
        Assert.False(Option("netkit tcp-server", "--once").TakesValue);
        Assert.True(Option("netkit tcp-server", "--idle-timeout").TakesValue);
        Assert.Empty(Option("netkit tcp-server", "--idle-timeout").Values);
    }

    [Theory]
    [InlineData("bash", "_netkit_complete()")]
    [InlineData("zsh", "#compdef netkit")]
    [InlineData("fish", "complete -c netkit")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName netkit")]
    public async Task Each_shell_gets_a_script_with_every_command_option_and_value(string shell, string marker)
    {
        var output = new StringWriter();
        Assert.Equal(ExitCode.Ok, await NetkitCli.RunAsync(["completion", shell], output, new StringWriter()));

        var script = output.ToString();
        Assert.Contains(marker, script, StringComparison.Ordinal);
        Assert.All(Node("netkit").Subcommands, s => Assert.Contains(s.Name, script, StringComparison.Ordinal));
        Assert.Contains("max-connections", script, StringComparison.Ordinal);
        Assert.Contains("rfc868", script, StringComparison.Ordinal);
        Assert.DoesNotContain("Rfc868", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_shell_is_one_usage_line()
    {
        var error = new StringWriter();
        Assert.Equal(ExitCode.Usage, await NetkitCli.RunAsync(["completion", "tcsh"], new StringWriter(), error));
        Assert.Equal("netkit: error: shell: 'tcsh' is not one of bash, zsh, fish, pwsh (see 'netkit completion --help')", error.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("Serve TCP clients. Seed mode answers.", "Serve TCP clients")]
    [InlineData("Use IPv4 only.", "Use IPv4 only")]
    [InlineData("SO_SNDBUF in bytes (e.g. 256k). More.", "SO_SNDBUF in bytes (e.g. 256k)")]
    public void A_summary_is_the_first_sentence(string description, string summary)
        => Assert.Equal(summary, CommandTree.Summary(description));

    private static CompletionNode Node(string key) => Tree.Single(n => n.Key == key);

    private static CompletionOption Option(string node, string name) => Node(node).Options.Single(o => o.Names.Contains(name));
}
