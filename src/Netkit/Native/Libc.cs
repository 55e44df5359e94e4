using System.Runtime.InteropServices;

namespace Netkit.Native;

/// <summary>
/// The few libc calls the command line makes on Unix, where the runtime's console streams do
/// the wrong thing for netkit: writing stdout so that EPIPE is seen (<see cref="Output.StandardOutput"/>),
/// and reading the terminal only in the foreground (<see cref="Operator.TerminalInput"/>).
/// Errno values are Linux's unless named per OS.
/// </summary>
internal static partial class Libc
{
    public const int Eintr = 4;
    public const int Epipe = 32;
    public const short PollIn = 1;
    public const short PollOut = 4;

    public static readonly int Eagain = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 35 : 11;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, ReadOnlySpan<byte> buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, Span<byte> buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "tcgetpgrp", SetLastError = true)]
    public static partial int TcGetPgrp(int fd);

    /// <summary>struct termios into <paramref name="termios"/>, as bytes (its layout is the OS's, see Operator.TerminalMode).</summary>
    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, Span<byte> termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int actions, ReadOnlySpan<byte> termios);

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    public static partial int GetPgrp();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>pipe(2): <paramref name="ends"/>[0] the read end, [1] the write end.</summary>
    [LibraryImport("libc", EntryPoint = "pipe", SetLastError = true)]
    public static partial int Pipe(Span<int> ends);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport("libc", EntryPoint = "if_indextoname")]
    public static partial nint IfIndexToName(uint index, Span<byte> name);

    /// <summary>True when <paramref name="zone"/> (an IPv6 scope: an interface name or index)
    /// names an interface of this host.</summary>
    public static bool IsInterface(string zone)
    {
        if (uint.TryParse(zone, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            Span<byte> name = stackalloc byte[64]; // IF_NAMESIZE is 16
            return index > 0 && (OperatingSystem.IsWindows() || IfIndexToName(index, name) != 0);
        }

        return !OperatingSystem.IsWindows() && zone.Length > 0 && IfNameToIndex(zone) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, out WinSize size);

    /// <summary>The width of the terminal on <paramref name="fd"/> (TIOCGWINSZ), or null when it is
    /// not a terminal: asked of the kernel, never through System.Console, whose terminal support
    /// writes the keypad-transmit sequence to the terminal the first time it is used.</summary>
    public static int? TerminalColumns(int fd)
    {
        nuint request = OperatingSystem.IsLinux() ? 0x5413u : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 0x40087468u : 0;
        return request != 0 && Ioctl(fd, request, out var size) == 0 && size.Columns > 0 ? size.Columns : null;
    }
}
