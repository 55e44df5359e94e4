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
        var code = help.Invoke(parseResult);
        HelpText.WriteEpilogue(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
        return code;
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
