using System.Buffers.Binary;
using Netkit.Native;

namespace Netkit.Operator;

/// <summary>
/// The terminal on stdin switched to key-at-a-time input without echo, for the line editor, and
/// back. Only those two modes change (ICANON and ECHO, and IEXTEN so Ctrl+V and Ctrl+O reach the
/// editor): signals stay on, so Ctrl+C, Ctrl+\ and Ctrl+Z do what they always do, and output
/// processing stays, so a newline still starts a line. Linux and macOS only (their termios layouts
/// are known here); elsewhere there is no editor. A shell puts its own modes back when netkit is
/// stopped (Ctrl+Z) and does not restore netkit's at <c>fg</c>: <see cref="Reassert"/> notices and
/// sets them again. The modes are set only in the foreground (tcsetattr from the background stops
/// the process with SIGTTOU).
/// </summary>
internal sealed class TerminalMode
{
    private const int StdinFd = 0;
    private const int Size = 128; // More than either layout's struct termios.

    private readonly byte[] _saved = new byte[Size];
    private readonly byte[] _raw = new byte[Size];
    private readonly Lock _gate = new();
    private bool _on;

    private TerminalMode()
    {
    }

    // Where c_lflag and c_cc are in struct termios, and the flags' and VMIN's and VTIME's values.
    private static (int Flags, int FlagSize, ulong Off, int Min, int Time)? Layout =>
        OperatingSystem.IsLinux() ? (12, 4, 0x2 | 0x8 | 0x8000, 17 + 6, 17 + 5)
        : OperatingSystem.IsMacOS() ? (24, 8, 0x100 | 0x8 | 0x400, 32 + 16, 32 + 17)
        : null;

    /// <summary>
    /// Reads stdin's terminal modes, to switch to the editor's with <see cref="Reassert"/> (now, or
    /// once netkit is in the foreground); null when there are none to read (not Linux or macOS, not a terminal).
    /// </summary>
    public static TerminalMode? Enter()
    {
        if (Layout is null)
        {
            return null;
        }

        var mode = new TerminalMode();
        if (Libc.TcGetAttr(StdinFd, mode._saved) != 0)
        {
            return null;
        }

        mode._saved.CopyTo(mode._raw, 0);
        var (flags, size, off, min, time) = Layout.Value;
        Write(mode._raw, flags, size, Read(mode._raw, flags, size) & ~off);
        mode._raw[min] = 1;
        mode._raw[time] = 0;
        return mode;
    }

    /// <summary>
    /// Sets the editor's mode again if something else (a shell, after Ctrl+Z and fg) put the
    /// terminal back in line mode; true when it did, so the line is to be drawn again. Does nothing
    /// in the background.
    /// </summary>
    public bool Reassert()
    {
        lock (_gate)
        {
            if (!TerminalInput.IsForeground())
            {
                return false;
            }

            Span<byte> now = stackalloc byte[Size];
            var (flags, size, off, _, _) = Layout!.Value;
            if (Libc.TcGetAttr(StdinFd, now) != 0 || (Read(now, flags, size) & off) == 0)
            {
                return false;
            }

            _on = Libc.TcSetAttr(StdinFd, 0, _raw) == 0;
            return _on;
        }
    }

    /// <summary>Puts back the modes found at <see cref="Enter"/>, if the terminal is still in the editor's (in the foreground).</summary>
    public void Restore()
    {
        lock (_gate)
        {
            if (_on && TerminalInput.IsForeground())
            {
                Libc.TcSetAttr(StdinFd, 0, _saved);
            }

            _on = false;
        }
    }

    private static ulong Read(ReadOnlySpan<byte> termios, int at, int size)
        => size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(termios[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(termios[at..]);

    private static void Write(Span<byte> termios, int at, int size, ulong value)
    {
        if (size == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(termios[at..], (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(termios[at..], value);
        }
    }
}
