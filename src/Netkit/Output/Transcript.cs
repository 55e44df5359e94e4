using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;

namespace Netkit.Output;

/// <summary>
/// <c>--hexdump</c> and <c>--transcript FILE</c>: every byte a connection moves, as it moves.
/// <para>
/// The hexdump goes to stderr (with <c>--log-format json</c>, a JSON line per chunk: event <c>Data</c>,
/// its bytes in hex), one block per chunk like <c>hexdump -C</c>, under a line naming the
/// connection, the direction and the size: <c>#3 &lt; 16 bytes</c> (<c>&lt;</c> received, <c>&gt;</c>
/// sent), then <c>00000000  68 65 6c 6c 6f 0a 49 20  67 65 74 20 69 74 21 0a  |hello.I get it!.|</c>.
/// </para>
/// <para>
/// The transcript is a file of one line per chunk, binary safe and easy to read back:
/// <c>2026-12-01T12:00:00.123456Z #3 &lt; 16 68656c6c6f0a...</c> (UTC time, connection, direction,
/// length, the bytes in hex). Concatenating one connection's <c>&lt;</c> lines gives back exactly the
/// bytes it received, its <c>&gt;</c> lines exactly what the kernel took of its sends. A UDP server
/// writes a line per datagram, named by its peer instead (<c>... 127.0.0.1:40000 &lt; 0</c>: an
/// empty request has no hex).
/// </para>
/// Neither ever blocks a connection: lines are queued (<see cref="LineQueueWriter"/>); when the
/// disk or stderr cannot keep up, lines are dropped and counted, and the run says so at its end.
/// </summary>
internal sealed class Transcript : IDataTap
{
    private const int FileQueueCharacters = 8 * 1024 * 1024;
    private readonly StatusWriter? _hexdump;
    private readonly LineQueueWriter? _file;
    private readonly TimeProvider _time;

    private Transcript(StatusWriter? hexdump, LineQueueWriter? file, TimeProvider time)
    {
        _hexdump = hexdump;
        _file = file;
        _time = time;
    }

    /// <summary>The file, when there is one.</summary>
    public string? Path { get; private init; }

    /// <summary>
    /// The tap for <c>--hexdump</c> (to <paramref name="stderr"/>) and <c>--transcript</c> (to
    /// <paramref name="path"/>, created or truncated); null when neither was asked for. A file that
    /// cannot be opened is an <see cref="IOException"/> saying why (see <see cref="TranscriptFile"/>).
    /// </summary>
    public static Transcript? Open(bool hexdump, string? path, StatusWriter stderr, TimeProvider time)
    {
        if (!hexdump && path is null)
        {
            return null;
        }

        var file = path is null ? null : new LineQueueWriter(TranscriptFile.Open(path), FileQueueCharacters);
        return new Transcript(hexdump ? stderr : null, file, time) { Path = path };
    }

    public void Data(int connection, bool received, ReadOnlySpan<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            Write(string.Create(CultureInfo.InvariantCulture, $"#{connection}"), connection, received, bytes);
        }
    }

    public void Datagram(string peer, bool received, ReadOnlySpan<byte> bytes) => Write(peer, null, received, bytes);

    // One line in the file (no hex for nothing), one block on stderr: an event Data, so that with
    // --log-format json it is one JSON line (the bytes in hex), with systemd each line has a priority.
    private void Write(string who, int? id, bool received, ReadOnlySpan<byte> bytes)
    {
        var direction = received ? '<' : '>';
        if (_file is not null)
        {
            var line = new StringBuilder(64 + (bytes.Length * 2));
            line.Append(JsonLogLine.Timestamp(_time.GetUtcNow())).Append(CultureInfo.InvariantCulture, $" {who} {direction} {bytes.Length}");
            if (!bytes.IsEmpty)
            {
                line.Append(' ').Append(Convert.ToHexStringLower(bytes));
            }

            _file.WriteLine(line.ToString());
        }

        if (_hexdump is { } status)
        {
            var title = string.Create(CultureInfo.InvariantCulture, $"{who} {direction} {bytes.Length} bytes");
            if (status.Format == LogFormat.Json)
            {
                status.Write(LogLevel.Information, "Data", title, (id is null ? "peer" : "id", id is null ? who : id), ("direction", received ? "in" : "out"),
                    ("length", bytes.Length), ("hex", Convert.ToHexStringLower(bytes)));
            }
            else
            {
                status.Write(LogLevel.Information, "Data", HexDump(title, bytes).TrimEnd('\n'));
            }
        }
    }

    /// <summary>Writes out what is queued (at most <paramref name="bound"/>); the lines the file lost, if any, as a note for the run's end.</summary>
    public string? Finish(TimeSpan bound)
    {
        if (_file is null)
        {
            return null;
        }

        var written = _file.Drain(bound);
        return !written
            ? string.Create(CultureInfo.InvariantCulture, $"transcript {Parsing.Echo.Quote(Path)}: not written out within {bound.TotalSeconds:0} s (a FIFO nobody reads, a stalled disk): what was still queued is lost{(_file.Dropped > 0 ? $", and {_file.Dropped} line(s) before it" : "")}")
            : _file.Dropped > 0
                ? string.Create(CultureInfo.InvariantCulture, $"transcript {Parsing.Echo.Quote(Path)}: {_file.Dropped} line(s) lost (the file did not keep up or could not be written)")
                : null;
    }

    /// <summary><paramref name="title"/>, then <paramref name="bytes"/> as <c>hexdump -C</c> shows them: 16 a row, offset, hex in two groups of 8, printable ASCII between bars; ends with a newline.</summary>
    public static string HexDump(string title, ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(title.Length + 2 + ((bytes.Length + 15) / 16 * 79));
        text.Append(title).Append('\n');
        for (var row = 0; row < bytes.Length; row += 16)
        {
            var part = bytes.Slice(row, Math.Min(16, bytes.Length - row));
            text.Append(row.ToString("x8", CultureInfo.InvariantCulture)).Append(' ');
            for (var i = 0; i < 16; i++)
            {
                text.Append(i == 8 ? "  " : " ");
                if (i < part.Length)
                {
                    text.Append(part[i].ToString("x2", CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append("  ");
                }
            }

            text.Append("  |");
            foreach (var b in part)
            {
                text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }

            text.Append("|\n");
        }

        return text.ToString();
    }
}
