namespace Netkit.Core.Udp;

/// <summary>The server answered, but not with 4 bytes; the tutorial's "reply error N".</summary>
public sealed class BadTimeReplyException : Exception
{
    /// <summary>Creates the failure from the bytes received.</summary>
    public BadTimeReplyException(ReadOnlySpan<byte> reply)
        : base($"reply error {reply.Length}: {Protocols.PeerText.Escape(reply, 256)}")
    {
        Length = reply.Length;
    }

    /// <summary>How many bytes came back.</summary>
    public int Length { get; }
}
