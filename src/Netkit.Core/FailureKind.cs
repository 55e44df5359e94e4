namespace Netkit.Core;

/// <summary>The kinds of failure a user must be able to tell apart (each maps to an exit code).</summary>
public enum FailureKind
{
    /// <summary>Refused, reset, unreachable, name not found.</summary>
    Network,
    /// <summary>Nothing happened within the time allowed.</summary>
    Timeout,
    /// <summary>The peer answered, but not in the protocol's form.</summary>
    Protocol,
    /// <summary>Refused by policy: an ACL, a limit, a rate limit, missing privileges.</summary>
    Denied,
    /// <summary>The local address could not be bound (in use, permission).</summary>
    Bind,
    /// <summary>The request itself makes no sense (e.g. a socket option on the wrong protocol).</summary>
    Usage,
}
