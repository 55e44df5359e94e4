namespace Netkit.Completion;

/// <summary>One command as a shell completes it: what may follow it on the command line.</summary>
/// <param name="Path">The words that name it: <c>["netkit"]</c>, <c>["netkit", "tcp-server"]</c>.</param>
/// <param name="Subcommands">Each subcommand's name (aliases too) with the first sentence of its description.</param>
/// <param name="Options">Its own options and those it inherits.</param>
/// <param name="ArgumentValues">The only values its arguments accept (<c>completion bash|zsh|...</c>).</param>
/// <param name="FreeArgument">Whether it takes an argument whose value nobody can guess (a host name).</param>
internal sealed record CompletionNode(
    IReadOnlyList<string> Path,
    IReadOnlyList<(string Name, string Summary)> Subcommands,
    IReadOnlyList<CompletionOption> Options,
    IReadOnlyList<string> ArgumentValues,
    bool FreeArgument)
{
    /// <summary>The path as one string, <c>netkit tcp-server</c>: how the scripts name a node.</summary>
    public string Key => string.Join(' ', Path);

    /// <summary>Every name of every option, in order: what a word starting with <c>-</c> completes to.</summary>
    public IEnumerable<string> OptionNames => Options.SelectMany(o => o.Names);

    /// <summary>What a word not starting with <c>-</c> completes to.</summary>
    public IEnumerable<string> Positionals => Subcommands.Select(s => s.Name).Concat(ArgumentValues);
}
