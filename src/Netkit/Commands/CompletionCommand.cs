using System.CommandLine;
using Netkit.Cli;
using Netkit.Completion;
using Netkit.Parsing;

namespace Netkit.Commands;

/// <summary><c>netkit completion SHELL</c>: a completion script generated from the command tree.</summary>
internal static class CompletionCommand
{
    private static readonly (string Name, Action<IReadOnlyList<CompletionNode>, TextWriter> Write)[] Shells =
    [
        ("bash", BashScript.Write),
        ("zsh", ZshScript.Write),
        ("fish", FishScript.Write),
        ("pwsh", PwshScript.Write),
    ];

    private static readonly string[] Names = [.. Shells.Select(s => s.Name)];

    public static Command Create()
    {
        var command = new Command("completion", "Print a shell completion script for netkit: its commands, options and the values they accept.");
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish or pwsh." };
        shell.CompletionSources.Add(Names);
        shell.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !Names.Contains(r.Tokens[0].Value, StringComparer.Ordinal))
            {
                r.AddError(r.Tokens[0].Value.StartsWith('-')
                    ? $"unknown option {Echo.Quote(r.Tokens[0].Value)}"
                    : $"shell: {Echo.Quote(r.Tokens[0].Value)} is not one of {string.Join(", ", Names)}");
            }
        });
        command.Add(shell);
        command.SetAction(r =>
        {
            var root = (RootCommand)r.RootCommandResult.Command;
            // LF line ends everywhere: bash and zsh refuse a script with CRLF, which is what the
            // console's WriteLine gives on Windows (found under Wine; Git Bash, MSYS2, WSL run it).
            using var script = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
            Shells.Single(s => s.Name == r.GetValue(shell)).Write(CommandTree.Walk(root), script);
            r.InvocationConfiguration.Output.Write(script.ToString());
            return ExitCode.Ok;
        });
        return command;
    }
}
