using Netkit.Core.Protocols;

namespace Netkit.Core.Sockets;

/// <summary>A socket option could not be set: unsupported on this OS, not permitted, or refused.</summary>
public sealed class SocketOptionException : Exception
{
    /// <summary>Creates the failure for the named command-line option.</summary>
    public SocketOptionException(string option, string reason, Exception? inner = null)
        : base($"{option}: {reason}", inner)
    {
        Option = option;
        Reason = reason;
    }

    /// <summary>Creates the failure for the named option and the value the user gave it, which the
    /// message echoes (escaped: it may hold anything the shell passed) as <c>--bind-device eth9: why</c>.</summary>
    public SocketOptionException(string option, string value, string reason)
        : base($"{option} {PeerText.Typed(value)}: {reason}")
    {
        Option = option;
        Reason = reason;
    }

    /// <summary>The option as the user typed it, e.g. <c>--bind-device</c>.</summary>
    public string Option { get; }

    /// <summary>Why it failed, in words.</summary>
    public string Reason { get; }

    /// <summary>True when the failure is a matter of privileges (EPERM/EACCES).</summary>
    public bool Denied { get; init; }
}
