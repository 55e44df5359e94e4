using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netkit.Core.Sockets;

/// <summary>
/// What the kernel's TCP_INFO says has moved on a connection: bytes the peer acknowledged plus bytes
/// received. A send blocked on a full socket buffer completes only when much of that buffer has
/// drained (megabytes, on a slow link), so only the kernel can tell such a send is still flowing.
/// Linux 4.1+ (the struct's <c>tcpi_bytes_acked</c> and <c>tcpi_bytes_received</c>). Where TCP_INFO
/// comes back short (qemu-user copies only its first 4 bytes: found running the arm64 binary's
/// end-to-end suite under qemu), the bytes still queued to send (SIOCOUTQ) stand in: a send queue
/// that shrinks is data leaving. Elsewhere (Windows, macOS) unknown.
/// </summary>
internal static partial class LinuxTcpInfo
{
    private const nuint SiocOutQ = 0x5411; // TIOCOUTQ, the same number on every Linux architecture netkit ships for

    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int BytesAckedOffset = 120;
    private const int BytesReceivedOffset = 128;
    private const int Needed = BytesReceivedOffset + sizeof(ulong);

    /// <summary>What <see cref="BytesMoved(Socket)"/> returns where the kernel says nothing.</summary>
    public const long Unknown = long.MinValue;

    /// <summary>
    /// Bytes acknowledged plus bytes received so far; or, without a full TCP_INFO, the negated send
    /// queue length (it changes when data leaves, as TCP_INFO's figure would for an upload);
    /// <see cref="Unknown"/> where the kernel says neither. Callers compare successive values only.
    /// </summary>
    public static long BytesMoved(Socket socket) => OperatingSystem.IsLinux() ? OnDescriptor(socket, BytesMoved) : Unknown;

    /// <summary>The same for a plain descriptor (the epoll loops' sockets).</summary>
    public static unsafe long BytesMoved(int fd)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Unknown;
        }

        var info = stackalloc byte[256];
        var length = 256;
        if (GetSockOpt(fd, IpProtoTcp, TcpInfoOption, info, &length) != 0)
        {
            return Unknown;
        }

        if (length < Needed)
        {
            return QueuedToSend(fd);
        }

        // Host byte order, as the kernel fills it.
        var span = new ReadOnlySpan<byte>(info, length);
        return (long)(MemoryMarshal.Read<ulong>(span[BytesAckedOffset..]) + MemoryMarshal.Read<ulong>(span[BytesReceivedOffset..]));
    }

    /// <summary>The fallback, on its own: minus the bytes queued to send, or <see cref="Unknown"/>.</summary>
    internal static long QueuedToSend(Socket socket) => OnDescriptor(socket, QueuedToSend);

    // The socket's descriptor, held open while it is read from.
    private static long OnDescriptor(Socket socket, Func<int, long> read)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return read((int)handle.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            return Unknown;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static long QueuedToSend(int fd) => Ioctl(fd, SiocOutQ, out var queued) == 0 ? -(long)queued : Unknown;

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static unsafe partial int GetSockOpt(int fd, int level, int name, byte* value, int* length);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, out int value);
}
