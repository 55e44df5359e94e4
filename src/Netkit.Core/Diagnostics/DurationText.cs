using System.Globalization;
using System.Text;

namespace Netkit.Core.Diagnostics;

/// <summary>
/// The one way netkit prints a duration, as people write one and as <c>--help</c> options take it:
/// <c>200ms</c>, <c>30s</c>, <c>1.5s</c>, <c>1m30s</c>, <c>2h</c>; zero is <c>0s</c>. Never
/// <c>00:00:30</c>. Below a second, whole milliseconds (a sub-millisecond rest is rounded).
/// </summary>
public static class DurationText
{
    /// <summary>The duration as text (see the type); a negative one gets a leading <c>-</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Format(value.Duration());
        }

        var ms = (long)Math.Round(value.TotalMilliseconds, MidpointRounding.AwayFromZero);
        if (ms == 0)
        {
            return value == TimeSpan.Zero ? "0s" : "<1ms";
        }

        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var text = new StringBuilder();
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = ms / 1000 % 60;
        var rest = ms % 1000;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        if (seconds > 0 || rest > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds}");
            if (rest > 0)
            {
                text.Append(string.Create(CultureInfo.InvariantCulture, $".{rest:000}").TrimEnd('0'));
            }

            text.Append('s');
        }

        return text.ToString();
    }
}
