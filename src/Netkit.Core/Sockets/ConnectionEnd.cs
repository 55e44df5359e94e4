using Microsoft.Extensions.Logging;

namespace Netkit.Core.Sockets;

/// <summary>
/// How a served connection ended, as <see cref="SocketErrors.Ending"/> decides it from the exception
/// that ended it: what the close log says, at which level anything beyond the close is logged, and
/// whether the server counts it as its own error.
/// </summary>
/// <param name="Kind">Which of the ways to end it was.</param>
/// <param name="Reason">One line for the log, e.g. <c>connection reset by peer</c>.</param>
public readonly record struct ConnectionEnd(ConnectionEndKind Kind, string Reason)
{
    /// <summary>The level to log the ending at, beyond the ordinary close line: none for the
    /// ordinary endings, a warning for a socket failure, an error for a fault of netkit's own.</summary>
    public LogLevel Level => Kind switch
    {
        ConnectionEndKind.SocketFailure => LogLevel.Warning,
        ConnectionEndKind.Unexpected => LogLevel.Error,
        _ => LogLevel.None,
    };

    /// <summary>True when the connection should be reset rather than closed with a FIN: nothing
    /// more can be promised to a peer whose conversation broke in the middle.</summary>
    public bool Reset => Kind is ConnectionEndKind.SocketFailure or ConnectionEndKind.Unexpected;
}
