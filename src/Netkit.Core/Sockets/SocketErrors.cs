using System.Net.Sockets;

namespace Netkit.Core.Sockets;

/// <summary>
/// The one table that says what a socket error means to netkit: which errors are an ordinary end of
/// a connection (the peer reset or went away), which a network failure, a timeout or a bind failure,
/// and how each reads in one line.
/// </summary>
public static class SocketErrors
{
    /// <summary>True for errors that only mean the peer is gone: a server logs them and moves on.</summary>
    public static bool IsConnectionGone(SocketError error) => error is
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown
        or SocketError.NotConnected or SocketError.OperationAborted or SocketError.Interrupted
        or SocketError.TimedOut or SocketError.NetworkReset or SocketError.HostUnreachable
        or SocketError.NetworkUnreachable or SocketError.Disconnecting;

    /// <summary>
    /// How a served connection ended, from the exception that ended it; <paramref name="abortReason"/>
    /// is the server's reason when it closed the connection itself (a pending read or write then
    /// fails with a socket or disposed error, which only means "aborted").
    /// </summary>
    public static ConnectionEnd Ending(Exception exception, string? abortReason) => exception switch
    {
        SocketException or ObjectDisposedException or OperationCanceledException when abortReason is not null
            => new(ConnectionEndKind.Aborted, abortReason),
        SocketException e when IsConnectionGone(e.SocketErrorCode) => new(ConnectionEndKind.PeerGone, Describe(e)),
        SocketException e => new(ConnectionEndKind.SocketFailure, Describe(e)),
        _ => new(ConnectionEndKind.Unexpected, $"internal error: {exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>The failure kind of an error seen while connecting or talking to a peer.</summary>
    public static FailureKind Classify(SocketError error) => error switch
    {
        SocketError.TimedOut => FailureKind.Timeout,
        SocketError.AccessDenied => FailureKind.Denied,
        SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable => FailureKind.Bind,
        _ => FailureKind.Network,
    };

    /// <summary>A short lower-case description such as "connection refused".</summary>
    public static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset by peer",
        SocketError.ConnectionAborted => "connection aborted",

        // ENOTCONN on a connection that was up: the peer closed it both ways before this call.
        SocketError.NotConnected => "closed by peer",
        SocketError.TimedOut => "timed out",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostNotFound => "name not found",
        SocketError.TryAgain => "name lookup failed temporarily",
        SocketError.NoData => "name has no address",
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AddressNotAvailable => "address not available on this host",
        SocketError.AccessDenied => "permission denied",
        SocketError.AddressFamilyNotSupported => "address family not supported",
        SocketError.MessageSize => "message too long",

        // The runtime names EMFILE (this process's limit) and ENFILE (the system's) alike, with ENFILE's words.
        SocketError.TooManyOpenSockets => "too many open files",
        _ => e.Message.Length > 0 ? char.ToLowerInvariant(e.Message[0]) + e.Message[1..] : e.SocketErrorCode.ToString(),
    };
}
