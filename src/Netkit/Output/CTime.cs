using System.Globalization;

namespace Netkit.Output;

/// <summary>Formats a time as Python's <c>time.ctime</c> does: <c>Mon Aug  6 17:09:17 2012</c> (day padded with a space).</summary>
internal static class CTime
{
    public static string Format(DateTimeOffset time, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(time, zone);
        return string.Create(CultureInfo.InvariantCulture, $"{local:ddd MMM} {local.Day,2} {local:HH:mm:ss yyyy}");
    }
}
