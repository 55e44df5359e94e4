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
}
