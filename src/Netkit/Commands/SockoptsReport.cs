using System.Runtime.InteropServices;
using System.Text.Json;
using Netkit.Core.Sockets;

namespace Netkit.Commands;

/// <summary>How <c>netkit sockopts</c> prints the option catalog: a table for people, JSON for machines.</summary>
internal static class SockoptsReport
{
    private const string Gap = "  ";
    private const string NotApplicable = "-";
    private const string Unsupported = "unsupported";

    private static readonly string[] Header = ["option", "level", "flag", "tcp", "udp"];

    /// <summary>
    /// Writes one aligned row per option under a header. A dash means the option does not apply to
    /// that protocol (or could not be read); options the OS lacks read <c>unsupported</c>.
    /// </summary>
    public static void WriteText(TextWriter output, IReadOnlyList<SocketOptionInfo> options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);

        var rows = new List<string[]>(options.Count + 1) { Header };
        foreach (var option in options)
        {
            rows.Add(
            [
                option.Name,
                option.Level,
                option.Flag ?? NotApplicable,
                option.Supported ? Cell(option.TcpDefault) : Unsupported,
                option.Supported ? Cell(option.UdpDefault) : Unsupported,
            ]);
        }

        var widths = new int[Header.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length - 1; i++)
            {
                output.Write(row[i].PadRight(widths[i]));
                output.Write(Gap);
            }

            output.WriteLine(row[^1]);
        }
    }

    /// <summary>
    /// Writes <c>{ "platform": "linux-x64", "options": [ { name, level, flag, supported, tcp, udp } ] }</c>,
    /// indented and ending in a newline; a flag or value that does not exist is <c>null</c>.
    /// </summary>
    public static void WriteJson(Stream output, IReadOnlyList<SocketOptionInfo> options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);

        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("platform", RuntimeInformation.RuntimeIdentifier);
        json.WriteStartArray("options");
        foreach (var option in options)
        {
            json.WriteStartObject();
            json.WriteString("name", option.Name);
            json.WriteString("level", option.Level);
            json.WriteString("flag", option.Flag);
            json.WriteBoolean("supported", option.Supported);
            json.WriteString("tcp", option.TcpDefault);
            json.WriteString("udp", option.UdpDefault);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    // An empty value is real (SO_BINDTODEVICE on an unbound socket), so it needs a visible word.
    private static string Cell(string? value) => value switch
    {
        null => NotApplicable,
        "" => "(none)",
        _ => value,
    };
}
