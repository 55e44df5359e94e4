using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Netkit.Cli;

/// <summary>
/// <c>--help</c>: System.CommandLine's own help, then <see cref="HelpText"/>'s epilogue. Version 3
/// keeps its help builder internal, so sections cannot be added to it; the help is written first
/// and the epilogue after it, both to the invocation's output writer (which tests capture).
/// </summary>
internal sealed class HelpWithEpilogueAction(HelpAction help) : SynchronousCommandLineAction
{
    /// <summary><c>--help</c> with a bad argument still shows help, as the default action does.</summary>
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        // The help's own width lookup goes through System.Console, which leaves the terminal in
        // keypad-transmit mode (ESC[?1h ESC=); the kernel tells the width without that. Not a
        // terminal (a pipe, a file, a test): no wrapping, as the default does.
        help.MaxWidth = OperatingSystem.IsWindows() ? help.MaxWidth : Native.Libc.TerminalColumns(1) ?? int.MaxValue;
        var configuration = parseResult.InvocationConfiguration;
        var output = configuration.Output;
        var text = new StringWriter();
        configuration.Output = text;
        int code;
        try
        {
            code = help.Invoke(parseResult);
        }
        finally
        {
            configuration.Output = output;
        }

        output.Write(OptionalArguments(parseResult.CommandResult.Command, text.ToString()));
        HelpText.WriteEpilogue(parseResult.CommandResult.Command, output);
        return code;
    }

    // The commands list names a subcommand's optional argument as required (`tcp-client <host>`)
    // where the subcommand's own usage says `[<host>]`: the row is written the usage's way, in the
    // same width (the two spaces taken are padding before the description).
    internal static string OptionalArguments(Command shown, string help)
    {
        foreach (var command in shown.Subcommands)
        {
            foreach (var argument in command.Arguments)
            {
                if (argument.Arity.MinimumNumberOfValues == 0)
                {
                    help = help.Replace($"  {command.Name} <{argument.Name}>  ", $"  {command.Name} [<{argument.Name}>]", StringComparison.Ordinal);
                }
            }
        }

        return help;
    }

    /// <summary>Puts this action behind every command's <c>--help</c> (the help option is the root's, recursive).</summary>
    public static void Install(RootCommand root)
    {
        var option = root.Options.OfType<HelpOption>().Single();
        if (option.Action is HelpAction help)
        {
            option.Action = new HelpWithEpilogueAction(help);
        }
    }
}
