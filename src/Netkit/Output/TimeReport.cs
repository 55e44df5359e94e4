using System.Text.Json;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;

namespace Netkit.Output;

/// <summary>The <c>--json</c> form of a time reading, written by hand so the AOT binary needs no reflection.</summary>
internal static class TimeReport
{
    public static void WriteJson(Stream output, TimeReading reading, DateTimeOffset serverTime, TimeEpoch epoch)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("server", EndpointText.Format(reading.Server));
        json.WriteString("epoch", epoch == TimeEpoch.Unix ? "unix" : "rfc868");
        json.WriteNumber("value", reading.Value);
        json.WriteString("serverTime", serverTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("serverSeconds", serverTime.ToUnixTimeSeconds());
        json.WriteString("localTime", reading.LocalTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("offsetSeconds", Math.Round((serverTime - reading.LocalTime).TotalSeconds, 3));
        json.WriteNumber("roundTripMs", Math.Round(reading.RoundTrip.TotalMilliseconds, 3));
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }
}
