using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Netkit.Core.Sockets;

/// <summary>
/// epoll(7) and eventfd(2) for the TCP server's event loops (<see cref="Tcp.EventLoop"/>). Events are
/// read and written as bytes, because <c>struct epoll_event</c> differs by architecture: packed to 12
/// bytes on x86 and x86-64 (the kernel's EPOLL_PACKED), 16 bytes with the data at offset 8 elsewhere
/// (arm64, 32-bit ARM).
/// </summary>
internal static unsafe partial class LinuxEpoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;
    public const uint Exclusive = 1u << 28;

    public const int Add = 1;
    public const int Delete = 2;
    public const int Modify = 3;

    public const int Eintr = 4;
    private const int CloseOnExec = 0x80000;
    private const int EventNonBlocking = 0x800;

    /// <summary>True where the loop can run: Linux, on a 64-bit process (the layouts netkit ships).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>Bytes per <c>struct epoll_event</c> on this architecture.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    private static readonly int DataOffset = EventSize == 12 ? 4 : 8;

    /// <summary>The events of entry <paramref name="index"/> in a buffer epoll_wait filled.</summary>
    public static uint EventsAt(byte* buffer, int index) => *(uint*)(buffer + (index * EventSize));

    /// <summary>The data of entry <paramref name="index"/> (unaligned on x86-64).</summary>
    public static ulong DataAt(byte* buffer, int index) => Unsafe.ReadUnaligned<ulong>(buffer + (index * EventSize) + DataOffset);

    /// <summary>epoll_ctl with one event: <paramref name="events"/> for fd, <paramref name="data"/> returned with them.</summary>
    public static int Control(int epoll, int operation, int fd, uint events, ulong data)
    {
        var entry = stackalloc byte[16];
        *(uint*)entry = events;
        Unsafe.WriteUnaligned(entry + DataOffset, data);
        return EpollCtl(epoll, operation, fd, entry);
    }

    public static int Create() => EpollCreate1(CloseOnExec);

    public static int CreateEvent() => EventFd(0, CloseOnExec | EventNonBlocking);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int fd, byte* entry);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int Wait(int epoll, byte* events, int maxEvents, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
