using System.Net.Sockets;
using Netkit.Core.Sockets;
using Netkit.Tests.Support;

namespace Netkit.Tests.Sockets;

/// <summary>
/// The kernel's view of a connection's progress, used by tcp-client's --timeout. Under qemu-user
/// TCP_INFO comes back 4 bytes long, so the send queue (SIOCOUTQ) has to show an upload flowing.
/// </summary>
public sealed class LinuxTcpInfoTests
{
    [SkippableFact]
    public async Task The_send_queue_fallback_sees_data_queued_then_leaving()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SIOCOUTQ is Linux's");
        using var listener = Loopback.Listen(out var port);
        listener.ReceiveBufferSize = 4096; // inherited by the accepted peer: a small window
        var accepting = listener.AcceptAsync();
        using var socket = await Loopback.ConnectAsync(port);
        using var peer = await accepting.WaitAsync(Loopback.Patience);
        Assert.Equal(0, LinuxTcpInfo.QueuedToSend(socket)); // nothing sent yet

        // More than the peer's receive buffer takes, so some stays queued while the peer reads nothing.
        socket.Blocking = false;
        var payload = new byte[64 * 1024];
        long sent = 0;
        for (var i = 0; i < 64; i++)
        {
            try
            {
                sent += socket.Send(payload);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                break;
            }
        }

        await Loopback.UntilAsync(() => LinuxTcpInfo.QueuedToSend(socket) < 0);
        var queued = -LinuxTcpInfo.QueuedToSend(socket);
        Assert.InRange(queued, 1, sent);

        // The peer reads everything: the queue empties, and the figure says so.
        var buffer = new byte[64 * 1024];
        long read = 0;
        while (read < sent)
        {
            read += await peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Loopback.Patience);
        }

        await Loopback.UntilAsync(() => LinuxTcpInfo.QueuedToSend(socket) == 0);
        Assert.Equal(sent, read);
    }

    [Fact]
    public void A_closed_socket_is_unknown_not_a_crash()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Dispose();
        Assert.Equal(LinuxTcpInfo.Unknown, LinuxTcpInfo.QueuedToSend(socket));
        Assert.Equal(LinuxTcpInfo.Unknown, LinuxTcpInfo.BytesMoved(socket));
    }
}
