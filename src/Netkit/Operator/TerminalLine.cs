using System.Runtime.InteropServices;
using System.Text;

namespace Netkit.Operator;

/// <summary>
/// One line typed at a prompt on the terminal that is stdin. On Unix it is read from fd 0 with
/// read(2), one byte at a time, in whatever mode the terminal is in (its line discipline echoes
/// and edits). System.Console's reader is never touched: its first use initialises the runtime's
/// terminal support, which writes the keypad-transmit sequence (<c>ESC[?1h ESC=</c>) that nothing
/// ever resets, and it reads with echo off, doing its own echo. One byte at a time so the read
/// never takes more than the line: what is typed ahead belongs to the next reader.
/// </summary>
internal static class TerminalLine
{
    /// <summary>
    /// The line without its line ending; null at the end of input (Ctrl+D at the start of a line, a
    /// terminal gone). Gives way to <paramref name="stop"/> at once (an <see cref="OperationCanceledException"/>);
    /// the reading thread notices within a quarter of a second and reads nothing more
    /// (see <see cref="TerminalStream.Read(Span{byte}, CancellationToken)"/>).
    /// </summary>
    public static Task<string?> ReadAsync(CancellationToken stop)
    {
        var read = OperatingSystem.IsWindows()
            ? Task.Run(Console.In.ReadLine, stop)
            : Task.Factory.StartNew(() => ReadUnix(stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return read.WaitAsync(stop);
    }

    private static string? ReadUnix(CancellationToken stop)
    {
        var line = new List<byte>();
        Span<byte> one = stackalloc byte[1];
        while (TerminalStream.Read(one, stop) > 0)
        {
            if (one[0] == '\n')
            {
                return Decode(line);
            }

            line.Add(one[0]);
        }

        // The end of input, or a terminal that went away.
        return line.Count > 0 ? Decode(line) : null;
    }

    /// <summary>A line's bytes as text, a final CR (a terminal in raw-ish mode) dropped.</summary>
    internal static string Decode(List<byte> line)
    {
        var span = CollectionsMarshal.AsSpan(line);
        if (span.Length > 0 && span[^1] == '\r')
        {
            span = span[..^1];
        }

        return Encoding.UTF8.GetString(span);
    }
}
