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

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    public static partial int GetPgrp();

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
