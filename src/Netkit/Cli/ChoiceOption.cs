using System.CommandLine;
using System.CommandLine.Parsing;

namespace Netkit.Cli;

/// <summary>An option naming one of a few values (<see cref="CommonOptions.Enum"/>): the option holds the
/// index of the name given; <see cref="Get(ParseResult)"/> is the value, or null when it was not given.</summary>
internal sealed class ChoiceOption<T>(Option<int?> option, T[] values)
    where T : struct
{
    public Option<int?> Option { get; } = option;

    public string Name => Option.Name;

    public T? Get(ParseResult result) => result.GetValue(Option) is { } i ? values[i] : null;

    public T? Get(CommandResult result) => result.GetValue(Option) is { } i ? values[i] : null;
}
