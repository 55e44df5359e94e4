using System.Globalization;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// Reads the <c>time.ctime</c> format (<c>Mon Aug  6 17:09:17 2012</c>, local time, day padded
/// with a space) and checks a reading against the local clock.
/// </summary>
public static partial class CTime
{
    /// <summary>How far a printed time may be from the test's clock: rounding, a slow machine.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(10);

    /// <summary>Parses exactly one ctime line (no trailing newline); fails the test otherwise.</summary>
    public static DateTime Parse(string line)
    {
        Assert.Matches(Pattern(), line);
        var day = line[8..10].TrimStart();
        var normalized = line[..8] + day.PadLeft(2, '0') + line[10..];
        return DateTime.ParseExact(normalized, "ddd MMM dd HH:mm:ss yyyy", CultureInfo.InvariantCulture);
    }

    /// <summary>Asserts <paramref name="line"/> is a ctime within <see cref="Tolerance"/> of now.</summary>
    public static void AssertNearNow(string line)
    {
        var printed = Parse(line);
        var now = DateTime.Now;
        Assert.True(
            (printed - now).Duration() <= Tolerance,
            $"printed time {printed:O} is not within {Tolerance} of the local clock {now:O}");
    }

    [GeneratedRegex(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3]\d \d\d:\d\d:\d\d \d{4}$")]
    private static partial Regex Pattern();
}
