namespace Netkit.Core.Udp;

/// <summary>The server answered, but not with 4 bytes; the tutorial's "reply error N".</summary>
public sealed class BadTimeReplyException : Exception
{
    /// <summary>Creates the failure from the bytes received.</summary>
    public BadTimeReplyException(ReadOnlySpan<byte> reply)
        : this(reply, reply.Length)
    {
    }

    /// <summary>Creates the failure from the first bytes received and how many came in all.</summary>
    public BadTimeReplyException(ReadOnlySpan<byte> start, int length)
        : base($"reply error {length}: {Protocols.PeerText.Escape(start, 256)}")
    {
        Length = length;
    }

    /// <summary>How many bytes came back.</summary>
    public int Length { get; }
}
