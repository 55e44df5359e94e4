namespace Netkit.Completion;

/// <summary>One command as a shell completes it: what may follow it on the command line.</summary>
/// <param name="Path">The words that name it: <c>["netkit"]</c>, <c>["netkit", "tcp-server"]</c>.</param>
/// <param name="Subcommands">Each subcommand's name (aliases too) with the first sentence of its description.</param>
/// <param name="Options">Its own options and those it inherits.</param>
/// <param name="ArgumentValues">The only values its arguments accept (<c>completion bash|zsh|...</c>).</param>
/// <param name="FreeArgument">Whether it takes an argument whose value nobody can guess (a host name).</param>
internal sealed record CompletionNode(
    IReadOnlyList<string> Path,
    IReadOnlyList<SubcommandEntry> Subcommands,
    IReadOnlyList<CompletionOption> Options,
    IReadOnlyList<string> ArgumentValues,
    bool FreeArgument)
{
    /// <summary>The path as one string, <c>netkit tcp-server</c>: how the scripts name a node.</summary>
    public string Key => string.Join(' ', Path);

    /// <summary>Every name of every option, in order: what a word starting with <c>-</c> completes to.</summary>
    public IReadOnlyList<string> OptionNames => NamesOf(Options, _ => true);

    /// <summary>What a word not starting with <c>-</c> completes to.</summary>
    public IReadOnlyList<string> Positionals
    {
        get
        {
            var words = new List<string>(Subcommands.Count + ArgumentValues.Count);
            foreach (var subcommand in Subcommands)
            {
                words.Add(subcommand.Name);
            }

            words.AddRange(ArgumentValues);
            return words;
        }
    }

    /// <summary>The options whose value is one of a known few: after one of them, those values complete.</summary>
    public IReadOnlyList<CompletionOption> OptionsWithValues
    {
        get
        {
            var options = new List<CompletionOption>();
            foreach (var option in Options)
            {
                if (option.TakesValue && option.Values.Count > 0)
                {
                    options.Add(option);
                }
            }

            return options;
        }
    }

    /// <summary>The names of the options whose value nobody can guess (a port, a file): after one, nothing completes.</summary>
    public IReadOnlyList<string> FreeValueOptionNames => NamesOf(Options, o => o.TakesValue && o.Values.Count == 0);

    private static List<string> NamesOf(IReadOnlyList<CompletionOption> options, Func<CompletionOption, bool> which)
    {
        var names = new List<string>();
        foreach (var option in options)
        {
            if (which(option))
            {
                names.AddRange(option.Names);
            }
        }

        return names;
    }
}

/// <summary>A subcommand's name (or alias) with the first sentence of its description. A class, not a
/// tuple: every generic list and query over it shares the reference types' code in the binary.</summary>
internal sealed record SubcommandEntry(string Name, string Summary);
