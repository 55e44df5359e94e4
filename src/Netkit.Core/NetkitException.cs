namespace Netkit.Core;

/// <summary>A failure the core reports to its caller, with the kind that decides the exit code.</summary>
public sealed class NetkitException : Exception
{
    /// <summary>Creates a failure; <paramref name="message"/> reads "what: why".</summary>
    public NetkitException(FailureKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    /// <summary>What kind of failure this is.</summary>
    public FailureKind Kind { get; }
}
