namespace Netkit.Core.Sockets;

/// <summary>What a socket is for; decides which settings apply and the defaults of some.</summary>
public enum SocketRole
{
    /// <summary>A TCP socket that listens (tcp-server).</summary>
    Listener,
    /// <summary>A TCP socket that connects (tcp-client).</summary>
    Client,
    /// <summary>A UDP socket, server or client.</summary>
    Datagram,
}
