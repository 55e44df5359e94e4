namespace Netkit.Completion;

/// <summary>One option as a shell completes it.</summary>
/// <param name="Names">The name, then its aliases (only the ones a shell can complete: no <c>/?</c>).</param>
/// <param name="Summary">The first sentence of the option's description.</param>
/// <param name="TakesValue">Whether a value follows the option (a flag takes none).</param>
/// <param name="Values">The only values the option accepts (<c>--mode seed|echo</c>); empty when any value goes.</param>
/// <param name="Recursive">Whether the option also applies to every subcommand of the command that declares it.</param>
/// <param name="Inherited">Whether the option comes from an ancestor (a recursive option such as <c>-v</c>).</param>
internal sealed record CompletionOption(
    IReadOnlyList<string> Names, string Summary, bool TakesValue, IReadOnlyList<string> Values, bool Recursive, bool Inherited);
