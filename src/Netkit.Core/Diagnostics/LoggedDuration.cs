namespace Netkit.Core.Diagnostics;

/// <summary>
/// A duration in a log message: its text is <see cref="DurationText"/> (<c>5s</c>, or <c>never</c>
/// for no limit), its JSON field a number of seconds (null for never), like every duration field.
/// </summary>
/// <param name="Value">The duration; null for no limit.</param>
public readonly record struct LoggedDuration(TimeSpan? Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value is { } value ? DurationText.Format(value) : "never";
}
