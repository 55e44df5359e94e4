namespace Netkit.Core.Sockets;

/// <summary>The ways a served connection can end.</summary>
public enum ConnectionEndKind
{
    /// <summary>The conversation ended as the peer wanted: a FIN, a reset, a peer that went away.</summary>
    PeerGone,
    /// <summary>The server closed it on purpose (kicked, a timeout, the server stopping).</summary>
    Aborted,
    /// <summary>A socket error that is not an ordinary end (out of buffers, say).</summary>
    SocketFailure,
    /// <summary>An exception nobody foresaw: netkit's fault; logged as an error and counted, and the
    /// server serves on.</summary>
    Unexpected,
}
