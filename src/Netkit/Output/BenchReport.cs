using System.Globalization;
using System.Text.Json;
using Netkit.Core.Diagnostics;
using Netkit.Core.Tcp;

namespace Netkit.Output;

/// <summary>What <c>tcp-client --bench</c> prints on stdout: a few lines for a person, or one JSON object.</summary>
internal static class BenchReport
{
    private static readonly (string Name, double Fraction)[] Percentiles = [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p999", 0.999)];

    public static void Write(Stream output, string server, TcpBenchOptions options, TcpBenchResult result, bool json)
    {
        if (json)
        {
            WriteJson(output, server, options, result);
            return;
        }

        var i = CultureInfo.InvariantCulture;
        var bytes = result.Messages * options.Size;
        var text = string.Create(i, $"""
            bench: {server}, {result.Connected} of {options.Connections} connection(s) x {options.InFlight} in flight x {options.Size} B, {result.Elapsed.TotalSeconds:F1} s
              echoed and verified: {result.Messages:N0} messages in time ({result.Verified:N0} in all), {result.Rate:N0}/s, {bytes / 1e6 / Math.Max(result.Elapsed.TotalSeconds, 1e-9):F1} MB/s each way
              latency: {LatencyText(result.Latency)}
              errors: {(result.Errors == 0 ? "none" : $"{result.Errors} connection(s) ({result.Mismatches} with a wrong byte); first: {result.FirstError}")}

            """);
        output.Write(System.Text.Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n")));
    }

    /// <summary>0 when every connection was served and every byte right; else the worst failure's code.</summary>
    public static int ExitCode(TcpBenchResult result) => result switch
    {
        { Mismatches: > 0 } => Cli.ExitCode.Protocol,
        { Errors: > 0, FirstError: { } first } when first.Contains("stalled", StringComparison.Ordinal) => Cli.ExitCode.Timeout,
        { Errors: > 0 } => Cli.ExitCode.Network,
        _ => Cli.ExitCode.Ok,
    };

    private static void WriteJson(Stream output, string server, TcpBenchOptions options, TcpBenchResult result)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("server", server);
            json.WriteNumber("connections", options.Connections);
            json.WriteNumber("connected", result.Connected);
            json.WriteNumber("inFlight", options.InFlight);
            json.WriteNumber("size", options.Size);
            json.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            json.WriteNumber("messages", result.Messages);
            json.WriteNumber("verifiedMessages", result.Verified);
            json.WriteNumber("rate", Math.Round(result.Rate, 1));
            json.WriteNumber("bytesEachWay", result.Messages * options.Size);
            WriteLatency(json, result.Latency);
            json.WriteNumber("errors", result.Errors);
            json.WriteNumber("mismatches", result.Mismatches);
            json.WriteString("firstError", result.FirstError);
            json.WriteBoolean("ok", ExitCode(result) == Cli.ExitCode.Ok);
            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
    }

    /// <summary><c>min 0.01 ms, p50 0.4 ms, p90 ..., p99 ..., p999 ..., max 8.6 ms</c>: both load modes' latency line.</summary>
    internal static string LatencyText(LatencyHistogram latency) => latency.Count == 0
        ? "none (nothing came back)"
        : $"min {Ms(latency.Min)}, {string.Join(", ", Array.ConvertAll(Percentiles, p => $"{p.Name} {Ms(latency.Percentile(p.Fraction))}"))}, max {Ms(latency.Max)}";

    /// <summary><c>"latencyMs": {"min": .., "p50": .., "p90": .., "p99": .., "p999": .., "max": ..}</c>, null when nothing came back: both load modes' JSON.</summary>
    internal static void WriteLatency(Utf8JsonWriter json, LatencyHistogram latency)
    {
        if (latency.Count == 0)
        {
            json.WriteNull("latencyMs"); // Nothing came back: no figure, not zeros.
            return;
        }

        json.WriteStartObject("latencyMs");
        json.WriteNumber("min", Milliseconds(latency.Min));
        foreach (var (name, fraction) in Percentiles)
        {
            json.WriteNumber(name, Milliseconds(latency.Percentile(fraction)));
        }

        json.WriteNumber("max", Milliseconds(latency.Max));
        json.WriteEndObject();
    }

    private static double Milliseconds(long nanoseconds) => Math.Round(nanoseconds / 1e6, 3);

    private static string Ms(long nanoseconds) => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.###} ms");
}
