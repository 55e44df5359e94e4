using System.Globalization;

namespace Netkit.Parsing;

/// <summary>
/// Parses durations as users type them: <c>250ms</c>, <c>2s</c>, <c>1.5s</c>, <c>1m</c>, <c>1h</c>;
/// a bare number means seconds. Negative values, NaN and values beyond a day are refused, so a
/// typo cannot turn into a timer that never fires.
/// </summary>
internal static class DurationParser
{
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(1);

    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = default;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a duration is required (e.g. 250ms, 2s, 1m)";
            return false;
        }

        var s = text.Trim();
        double scale;
        string number;
        if (s.EndsWith("ms", StringComparison.OrdinalIgnoreCase)) { scale = 1; number = s[..^2]; }
        else if (s.EndsWith('s') || s.EndsWith('S')) { scale = 1000; number = s[..^1]; }
        else if (s.EndsWith('m') || s.EndsWith('M')) { scale = 60_000; number = s[..^1]; }
        else if (s.EndsWith('h') || s.EndsWith('H')) { scale = 3_600_000; number = s[..^1]; }
        else { scale = 1000; number = s; }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || double.IsNaN(amount) || double.IsInfinity(amount))
        {
            error = $"'{text}' is not a duration (use e.g. 250ms, 2s, 1m)";
            return false;
        }

        var ms = amount * scale;
        if (ms > Maximum.TotalMilliseconds)
        {
            error = $"'{text}' is too long (at most 24h)";
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
