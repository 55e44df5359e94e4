using System.CommandLine;

namespace Netkit.Cli;

/// <summary>
/// A timeout option and its default. Every timeout reads <c>0</c> the same way: never. Not given,
/// it is the default (which may be never).
/// </summary>
internal sealed class TimeoutOption(Option<TimeSpan?> option, TimeSpan? defaultValue)
{
    public Option<TimeSpan?> Option { get; } = option;

    public TimeSpan? Default { get; } = defaultValue;

    /// <summary>The limit, or null for none.</summary>
    public TimeSpan? Get(ParseResult result)
        => result.GetValue(Option) is { } given ? (given > TimeSpan.Zero ? given : null) : Default;
}
