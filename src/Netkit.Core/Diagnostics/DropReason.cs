namespace Netkit.Core.Diagnostics;

/// <summary>Why a server refused a peer, closed a connection or left a datagram unanswered.</summary>
public enum DropReason
{
    /// <summary>An <c>--allow</c>/<c>--deny</c> rule refused the peer.</summary>
    Acl,
    /// <summary><c>--max-connections</c> was reached.</summary>
    MaxConnections,
    /// <summary><c>--max-per-ip</c> was reached for the peer's address.</summary>
    MaxPerIp,
    /// <summary>No traffic for <c>--idle-timeout</c>.</summary>
    Idle,
    /// <summary>Nothing sent within <c>--first-byte-timeout</c> (slowloris).</summary>
    FirstByte,
    /// <summary>Connected longer than <c>--max-session</c>.</summary>
    MaxSession,
    /// <summary>The peer did not read its replies within <c>--send-timeout</c>.</summary>
    SlowReader,
    /// <summary>Over the per-source <c>--rate-limit</c>.</summary>
    RateLimit,
    /// <summary>A datagram from a source port below 1024 (reflection guard).</summary>
    PrivilegedPort,
    /// <summary>A datagram that claims to come from the server's own address.</summary>
    OwnAddress,
    /// <summary>The reply could not be sent.</summary>
    SendFailed,
    /// <summary>Not a request of the protocol served (an SNTP server's datagram that is not a 48-byte mode-3 packet).</summary>
    Malformed,
}
