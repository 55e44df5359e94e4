using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netkit.Core.Sockets;

/// <summary>
/// What the kernel's TCP_INFO says has moved on a connection: bytes the peer acknowledged plus bytes
/// received. A send blocked on a full socket buffer completes only when much of that buffer has
/// drained (megabytes, on a slow link), so only the kernel can tell such a send is still flowing.
/// Linux 4.1+ (the struct's <c>tcpi_bytes_acked</c> and <c>tcpi_bytes_received</c>); elsewhere unknown.
/// </summary>
internal static class LinuxTcpInfo
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int BytesAckedOffset = 120;
    private const int BytesReceivedOffset = 128;
    private const int Needed = BytesReceivedOffset + sizeof(ulong);

    /// <summary>Bytes acknowledged plus bytes received so far, or -1 where the kernel does not say.</summary>
    public static long BytesMoved(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        Span<byte> info = stackalloc byte[256];
        try
        {
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
            if (length < Needed)
            {
                return -1;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return -1;
        }

        // Host byte order, as the kernel fills it.
        return (long)(MemoryMarshal.Read<ulong>(info[BytesAckedOffset..]) + MemoryMarshal.Read<ulong>(info[BytesReceivedOffset..]));
    }
}
