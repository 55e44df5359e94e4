using System.CommandLine;
using Netkit.Cli;
using Netkit.Parsing;

namespace Netkit.Commands;

/// <summary><c>netkit help [COMMAND]</c>: the same as <c>netkit [COMMAND] --help</c>.</summary>
internal static class HelpCommand
{
    public static Command Create(IReadOnlyList<string> commands)
    {
        var command = new Command("help", "Show help for netkit or for one command (the same as COMMAND --help).");
        var name = new Argument<string?>("command") { Description = "The command to explain.", Arity = ArgumentArity.ZeroOrOne, HelpName = "command" };
        name.CompletionSources.Add([.. commands]);
        command.Add(name);
        command.SetAction(r =>
        {
            var root = r.RootCommandResult.Command;
            var asked = r.GetValue(name);
            if (asked is null)
            {
                return root.Parse(["--help"], r.Configuration).Invoke(r.InvocationConfiguration);
            }

            if (!root.Subcommands.Any(c => c.Name == asked))
            {
                return CommandHost.Fail(r.InvocationConfiguration.Error,
                    $"help: unknown command {Echo.Quote(asked)} (commands: {string.Join(", ", commands)})", ExitCode.Usage);
            }

            return root.Parse([asked, "--help"], r.Configuration).Invoke(r.InvocationConfiguration);
        });
        return command;
    }
}
