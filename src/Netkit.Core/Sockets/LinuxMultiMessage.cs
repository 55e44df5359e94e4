using System.Runtime.InteropServices;

namespace Netkit.Core.Sockets;

/// <summary>
/// recvmmsg(2) and sendmmsg(2): many datagrams per system call on Linux. The structures are the
/// 64-bit Linux layouts (x86_64 and arm64 agree); callers use this only where
/// <see cref="IsAvailable"/> says so.
/// </summary>
internal static unsafe partial class LinuxMultiMessage
{
    public const int MsgWaitForOne = 0x10000;

    /// <summary>MSG_TRUNC: a received datagram's length is its real length, not what fit the buffer.</summary>
    public const int MsgTrunc = 0x20;
    public const int Eintr = 4;
    public const int Eagain = 11;

    /// <summary>True on 64-bit Linux, where the layouts below hold.</summary>
    public static bool IsAvailable => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MultiMessageHeader
    {
        public MessageHeader Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public const short PollIn = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int ReceiveMany(int fd, MultiMessageHeader* messages, uint count, int flags, TimeSpec* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMany(int fd, MultiMessageHeader* messages, uint count, int flags);
}
