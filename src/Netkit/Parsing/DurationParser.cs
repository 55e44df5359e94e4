using System.Globalization;

namespace Netkit.Parsing;

/// <summary>
/// Parses durations as users type them: <c>250ms</c>, <c>2s</c>, <c>1.5s</c>, <c>1m</c>, <c>1h</c>,
/// compounds from the largest unit down (<c>1m30s</c>, <c>1h2m3.5s</c>, <c>2s500ms</c>); a bare
/// number means seconds. Negative values, NaN and values beyond a day are refused, so a typo cannot
/// turn into a timer that never fires. What <c>0</c> means is the option's business (every
/// timeout: never).
/// </summary>
internal static class DurationParser
{
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(1);

    private const string Example = "e.g. 250ms, 2s, 1m30s";

    // "ms" before "m", so "1ms" is one millisecond. Each part of a compound must use a smaller
    // unit than the one before it.
    private static readonly (string Unit, double Milliseconds)[] Units = [("h", 3_600_000), ("ms", 1), ("m", 60_000), ("s", 1000)];

    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = default;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"a duration is required ({Example})";
            return false;
        }

        var s = text.Trim();
        if (!TrySum(s, out var ms))
        {
            error = $"{Echo.Quote(text)} is not a duration ({Example}; units h, m, s, ms)";
            return false;
        }

        if (ms > Maximum.TotalMilliseconds)
        {
            error = $"{Echo.Quote(text)} is too long (at most 24h)";
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    private static bool TrySum(string s, out double total)
    {
        total = 0;
        if (IsNumber(s))
        {
            // A bare number is seconds.
            return TryNumber(s, out var seconds) && Add(ref total, seconds * 1000);
        }

        var previous = double.PositiveInfinity;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !TryNumber(s[start..i], out var amount) || !TryUnit(s, ref i, out var scale) || scale >= previous)
            {
                return false;
            }

            previous = scale;
            if (!Add(ref total, amount * scale))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryUnit(string s, ref int i, out double scale)
    {
        foreach (var (unit, milliseconds) in Units)
        {
            if (string.Compare(s, i, unit, 0, unit.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                i += unit.Length;
                scale = milliseconds;
                return true;
            }
        }

        scale = 0;
        return false;
    }

    private static bool IsNumber(string s) => !s.AsSpan().ContainsAnyExcept("0123456789.");

    // Digits, with a fraction only between digits: "1.5", never "1." or ".5".
    private static bool TryNumber(string s, out double amount)
    {
        amount = 0;
        return s.Length > 0 && s[0] != '.' && s[^1] != '.'
            && double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount)
            && !double.IsNaN(amount) && !double.IsInfinity(amount);
    }

    private static bool Add(ref double total, double part)
    {
        total += part;
        return !double.IsInfinity(total);
    }
}
