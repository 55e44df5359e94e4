using System.Globalization;
using System.Text.Json;
using Netkit.Core.Udp;

namespace Netkit.Output;

/// <summary>What <c>udp-time-client --bench</c> prints on stdout: a few lines for a person, or one JSON object.</summary>
internal static class UdpBenchReport
{
    public static void Write(Stream output, string server, UdpBenchOptions options, UdpBenchResult result, bool json)
    {
        if (json)
        {
            WriteJson(output, server, options, result);
            return;
        }

        var i = CultureInfo.InvariantCulture;
        var pace = options.Rate > 0 ? string.Create(i, $"paced to {options.Rate:N0}/s") : "as fast as replies come";
        var lossShare = result.Requests > 0 ? 100.0 * result.Lost / result.Requests : 0;
        var text = string.Create(i, $"""
            bench: {server}{(options.Protocol == Core.Protocols.TimeProtocol.Sntp ? " (sntp)" : "")}, {options.Sockets} socket(s) x {options.InFlight} in flight, {pace}, {result.Elapsed.TotalSeconds:F1} s
              replies: {result.Replies:N0} to {result.Requests:N0} requests, {result.Rate:N0}/s; lost {result.Lost:N0} ({lossShare:0.###} %), refused {result.Refused:N0}, bad {result.BadReplies:N0}{(result.FirstBad >= 0 ? $" (first: {result.FirstBad} bytes)" : "")}
              latency: {BenchReport.LatencyText(result.Latency)}
              server clock: {(result.Replies > 0 ? $"at most {result.MaxOffsetSeconds} s from ours" : "not seen (no reply)")}

            """);
        output.Write(System.Text.Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n")));
    }

    /// <summary>0 when replies came and all were good (4 bytes; SNTP's mode 4 with a time); 4 on a bad reply; 1 when refused and 3 when nothing came back.</summary>
    public static int ExitCode(UdpBenchResult result) => result switch
    {
        { BadReplies: > 0 } => Cli.ExitCode.Protocol,
        { Replies: 0, Refused: > 0 } => Cli.ExitCode.Network,
        { Replies: 0 } => Cli.ExitCode.Timeout,
        _ => Cli.ExitCode.Ok,
    };

    private static void WriteJson(Stream output, string server, UdpBenchOptions options, UdpBenchResult result)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("server", server);
            json.WriteString("protocol", options.Protocol == Core.Protocols.TimeProtocol.Sntp ? "sntp" : "time");
            json.WriteNumber("sockets", options.Sockets);
            json.WriteNumber("inFlight", options.InFlight);
            json.WriteNumber("requestedRate", options.Rate);
            json.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            json.WriteNumber("requests", result.Requests);
            json.WriteNumber("replies", result.Replies);
            json.WriteNumber("rate", Math.Round(result.Rate, 1));
            json.WriteNumber("lost", result.Lost);
            json.WriteNumber("refused", result.Refused);
            json.WriteNumber("badReplies", result.BadReplies);
            BenchReport.WriteLatency(json, result.Latency);
            if (result.Replies > 0)
            {
                json.WriteNumber("maxOffsetSeconds", result.MaxOffsetSeconds);
            }
            else
            {
                json.WriteNull("maxOffsetSeconds");
            }

            json.WriteBoolean("ok", ExitCode(result) == Cli.ExitCode.Ok);
            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
    }
}
