using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netkit.Core.Sockets;

/// <summary>
/// Accepted TCP sockets as plain descriptors, for the epoll loops (<see cref="Tcp.EventLoop"/>):
/// accept4, recv, send, shutdown, SO_LINGER and close straight from libc. A .NET <see cref="Socket"/>
/// per connection costs about 0.5 KB that stays (the socket, its safe handle, its endpoints) and as
/// much again of garbage per accept, most of what 10,000 idle connections weighed; the loop needs
/// none of it. Errors are errno values, turned into <see cref="SocketException"/>s by
/// <see cref="Error"/> for <see cref="SocketErrors"/> to read as it reads the runtime's.
/// The numbers are the generic Linux ones, the same on x86-64 and arm64.
/// </summary>
internal static unsafe partial class LinuxStreamSocket
{
    public const int Eagain = 11;
    public const int Eintr = 4;
    public const int Enotconn = 107;

    private const int NonBlockingCloseOnExec = 0x800 | 0x80000; // SOCK_NONBLOCK | SOCK_CLOEXEC
    private const int NoSignal = 0x4000; // MSG_NOSIGNAL
    private const int Peek = 0x2; // MSG_PEEK
    private const int ShutWrite = 1;
    private const int SolSocket = 1;
    private const int SoLinger = 13;
    private const int SockaddrStorage = 128;

    /// <summary>Accepts one queued connection of <paramref name="listener"/>, non-blocking and
    /// close-on-exec: its descriptor, with <paramref name="peer"/> (IPv4-mapped given as IPv4) and
    /// <paramref name="port"/>; or -1 with <paramref name="errno"/>. <paramref name="last"/>, the
    /// address the previous accept returned, is reused when it is the same, so a thousand clients of
    /// one host share one <see cref="IPAddress"/>.</summary>
    public static int Accept(int listener, IPAddress? last, out IPAddress peer, out int port, out int errno)
    {
        var address = stackalloc byte[SockaddrStorage];
        var length = SockaddrStorage;
        var fd = Accept4(listener, address, &length, NonBlockingCloseOnExec);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            peer = IPAddress.None;
            port = 0;
            return -1;
        }

        errno = 0;
        var span = new ReadOnlySpan<byte>(address, Math.Min(length, SockaddrStorage));
        port = span.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(span[2..]) : 0;
        peer = PeerAddress(span, last);
        return fd;
    }

    /// <summary>recv(2): bytes read, 0 at the peer's FIN, -1 with <paramref name="errno"/>.</summary>
    public static int Receive(int fd, Span<byte> buffer, out int errno)
    {
        nint received;
        fixed (byte* data = buffer)
        {
            received = Recv(fd, data, (nuint)buffer.Length, 0);
        }

        errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)received;
    }

    /// <summary>A one-byte MSG_PEEK: 0 when the socket is fine or only at its FIN, else the errno that ended it.</summary>
    public static int PeekError(int fd)
    {
        byte one;
        return Recv(fd, &one, 1, Peek) < 0 && Marshal.GetLastPInvokeError() is var errno && errno != Eagain ? errno : 0;
    }

    /// <summary>send(2) without SIGPIPE: bytes taken, -1 with <paramref name="errno"/>.</summary>
    public static int Send(int fd, ReadOnlySpan<byte> data, out int errno)
    {
        nint sent;
        fixed (byte* bytes = data)
        {
            sent = SendTo(fd, bytes, (nuint)data.Length, NoSignal);
        }

        errno = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)sent;
    }

    /// <summary>shutdown(SHUT_WR): our FIN; 0, or the errno.</summary>
    public static int ShutdownSend(int fd) => ShutdownNative(fd, ShutWrite) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>SO_LINGER 0: the close that follows sends a reset. Best effort.</summary>
    public static void ResetOnClose(int fd)
    {
        var linger = stackalloc int[2];
        linger[0] = 1;
        linger[1] = 0;
        _ = SetSockOpt(fd, SolSocket, SoLinger, linger, 2 * sizeof(int));
    }

    public static void Close(int fd) => _ = CloseNative(fd);

    /// <summary>The exception the runtime would have thrown for <paramref name="errno"/> on a TCP socket.</summary>
    public static SocketException Error(int errno)
    {
        var code = Code(errno);
        return code == SocketError.SocketError
            ? new SocketException((int)code, Marshal.GetPInvokeErrorMessage(errno))
            : new SocketException((int)code);
    }

    private static SocketError Code(int errno) => errno switch
    {
        104 => SocketError.ConnectionReset,
        32 => SocketError.Shutdown, // EPIPE
        110 => SocketError.TimedOut,
        103 => SocketError.ConnectionAborted,
        107 => SocketError.NotConnected,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        102 => SocketError.NetworkReset,
        100 => SocketError.NetworkDown,
        24 or 23 => SocketError.TooManyOpenSockets, // EMFILE, ENFILE
        105 or 12 => SocketError.NoBufferSpaceAvailable, // ENOBUFS, ENOMEM
        1 or 13 => SocketError.AccessDenied, // EPERM (a firewall), EACCES
        Eintr => SocketError.Interrupted,
        _ => SocketError.SocketError,
    };

    private static IPAddress PeerAddress(ReadOnlySpan<byte> address, IPAddress? last)
    {
        var family = address.Length >= 2 ? MemoryMarshal.Read<ushort>(address) : 0;
        ReadOnlySpan<byte> bytes;
        if (family == 2 && address.Length >= 8)
        {
            bytes = address.Slice(4, 4);
        }
        else if (family == PosixSocketConstants.AfInet6Linux && address.Length >= 28)
        {
            bytes = address.Slice(8, 16);
            var scope = MemoryMarshal.Read<uint>(address[24..]);
            if (scope != 0)
            {
                return new IPAddress(bytes, scope);
            }

            // ::ffff:a.b.c.d reads as the IPv4 address, as everywhere else in netkit.
            if (bytes[..10].IndexOfAnyExcept((byte)0) < 0 && bytes[10] == 0xff && bytes[11] == 0xff)
            {
                bytes = bytes[12..];
            }
        }
        else
        {
            return IPAddress.None;
        }

        Span<byte> previous = stackalloc byte[16];
        if (last is not null && (last.AddressFamily == AddressFamily.InterNetwork || last.ScopeId == 0)
            && last.TryWriteBytes(previous, out var written) && previous[..written].SequenceEqual(bytes))
        {
            return last;
        }

        return new IPAddress(bytes);
    }

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int Accept4(int fd, byte* address, int* length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SendTo(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    private static partial int ShutdownNative(int fd, int how);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);
}
