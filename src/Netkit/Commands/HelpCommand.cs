using System.CommandLine;
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

        // A parse error, so that it is reported as every usage error is: one line, exit 2, in the log format asked for.
        name.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !commands.Contains(r.Tokens[0].Value, StringComparer.Ordinal))
            {
                r.AddError($"help: unknown command {Echo.Quote(r.Tokens[0].Value)} (commands: {string.Join(", ", commands)})");
            }
        });
        command.Add(name);
        command.SetAction(r =>
        {
            string[] asked = r.GetValue(name) is { } subcommand ? [subcommand, "--help"] : ["--help"];
            return r.RootCommandResult.Command.Parse(asked, r.Configuration).Invoke(r.InvocationConfiguration);
        });
        return command;
    }
}
