using System.CommandLine;
using System.CommandLine.Completions;
using System.Text.RegularExpressions;

namespace Netkit.Completion;

/// <summary>
/// The command tree as the completion scripts see it, read from the <see cref="RootCommand"/> itself:
/// a new command, option, alias or accepted value shows up in every script without touching them.
/// </summary>
internal static partial class CommandTree
{
    /// <summary>The name the scripts complete, whatever the executable file is called.</summary>
    public const string Program = "netkit";

    /// <summary>Every command of the tree, the root first, parents before their subcommands.</summary>
    public static IReadOnlyList<CompletionNode> Walk(RootCommand root)
    {
        var nodes = new List<CompletionNode>();
        Visit(root, [Program], [], nodes);
        return nodes;
    }

    /// <summary>The first sentence of <paramref name="description"/>, without its full stop (a
    /// full stop inside parentheses, as in "(e.g. 256k)", ends nothing).</summary>
    public static string Summary(string? description)
    {
        var text = (description ?? "").ReplaceLineEndings(" ").Trim();
        var depth = 0;
        for (var i = 0; i < text.Length - 1; i++)
        {
            depth += text[i] switch { '(' => 1, ')' when depth > 0 => -1, _ => 0 };
            if (depth == 0 && text[i] == '.' && text[i + 1] == ' ')
            {
                return text[..i];
            }
        }

        return text.TrimEnd('.');
    }

    private static void Visit(Command command, string[] path, IReadOnlyList<CompletionOption> inherited, List<CompletionNode> nodes)
    {
        var own = command.Options.Where(o => !o.Hidden).Select(o => Describe(o)).Where(o => o.Names.Count > 0).ToList();
        var arguments = command.Arguments.Where(a => !a.Hidden).Select(a => Safe(a.GetCompletions(CompletionContext.Empty).Select(c => c.Label)).ToList()).ToList();
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        nodes.Add(new CompletionNode(
            path,
            [.. subcommands.SelectMany(c => Safe([c.Name, .. c.Aliases]).Select(name => new SubcommandEntry(name, Summary(c.Description))))],
            [.. own, .. inherited],
            [.. arguments.SelectMany(values => values).Distinct(StringComparer.Ordinal)],
            FreeArgument: arguments.Any(values => values.Count == 0)));

        var passedOn = new List<CompletionOption>(inherited);
        foreach (var option in own)
        {
            if (option.Recursive)
            {
                passedOn.Add(option with { Inherited = true });
            }
        }

        foreach (var subcommand in subcommands)
        {
            Visit(subcommand, [.. path, subcommand.Name], passedOn, nodes);
        }
    }

    private static CompletionOption Describe(Option option)
    {
        // A bool option is a flag: its "values" true and false are never typed.
        var flag = option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0;
        var values = flag ? [] : Safe(option.GetCompletions(CompletionContext.Empty).Select(c => c.Label)).ToList();
        var names = Safe([option.Name, .. option.Aliases.Where(a => a != option.Name)]).Where(n => n.StartsWith('-')).ToList();
        return new CompletionOption(names, Summary(option.Description), !flag, values, option.Recursive, Inherited: false);
    }

    // Names and values go into shell scripts unquoted (compgen -W, case patterns): only plain words
    // do. The help option's "-?" and "/?" are left out this way, and so would be any odd value.
    private static IEnumerable<string> Safe(IEnumerable<string> words) => words.Where(w => PlainWord().IsMatch(w)).Distinct(StringComparer.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.,:@%+=-]*$|^--?[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex PlainWord();
}
