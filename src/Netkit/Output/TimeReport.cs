using System.Globalization;
using System.Text.Json;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;

namespace Netkit.Output;

/// <summary>
/// The <c>--json</c> form of a time reading: JSON Lines, one compact object per reply and line, so
/// the replies of a broadcast are one line per responder (docs/cli.md documents each field).
/// Written by hand so the AOT binary needs no reflection.
/// </summary>
internal static class TimeReport
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false };

    public static void WriteJson(Stream output, TimeReading reading, DateTimeOffset serverTime, TimeEpoch epoch)
    {
        using (var json = new Utf8JsonWriter(output, Compact))
        {
            json.WriteStartObject();
            json.WriteString("server", EndpointText.Format(reading.Server));
            json.WriteString("epoch", epoch == TimeEpoch.Unix ? "unix" : "rfc868");
            json.WriteNumber("value", reading.Value);
            json.WriteString("serverTime", serverTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteNumber("serverSeconds", serverTime.ToUnixTimeSeconds());
            json.WriteString("localTime", JsonLogLine.Timestamp(reading.LocalTime));
            json.WriteNumber("offsetSeconds", Math.Round(TimeOffset.Estimate(serverTime, reading).TotalSeconds, 6));
            json.WriteNumber("offsetUncertaintySeconds", Math.Round(TimeOffset.Uncertainty(reading).TotalSeconds, 6));
            json.WriteNumber("resolutionSeconds", TimeOffset.Resolution.TotalSeconds);
            json.WriteNumber("roundTripMs", Math.Round(reading.RoundTrip.TotalMilliseconds, 3));
            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
    }
}
