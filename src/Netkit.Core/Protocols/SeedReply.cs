using System.Text;

namespace Netkit.Core.Protocols;

/// <summary>
/// The tutorial server's answer to one chunk: the chunk itself, then the acknowledgement framed as
/// <c>"\n" + ack + "\n"</c>, then (when known at once) the operator's word, with no newline added,
/// as Python's <c>input()</c> strips it. Composed into one buffer so one send carries it all.
/// </summary>
public static class SeedReply
{
    /// <summary>The tutorial's acknowledgement text.</summary>
    public const string DefaultAck = "I get it!";

    /// <summary>The bytes sent for an acknowledgement text: <c>"\n" + ack + "\n"</c> in UTF-8.</summary>
    public static byte[] FrameAck(string ack) => Encoding.UTF8.GetBytes("\n" + ack + "\n");

    /// <summary>Bytes needed for a reply to a chunk of <paramref name="dataLength"/> bytes.</summary>
    public static int Length(int dataLength, ReadOnlySpan<byte> ackFrame, ReadOnlySpan<byte> word)
        => dataLength + ackFrame.Length + word.Length;

    /// <summary>
    /// Completes a reply whose first <paramref name="dataLength"/> bytes (the chunk) are already in
    /// <paramref name="buffer"/>, by appending the ack frame and the word; returns the reply length.
    /// </summary>
    public static int CompleteInPlace(Span<byte> buffer, int dataLength, ReadOnlySpan<byte> ackFrame, ReadOnlySpan<byte> word)
    {
        var length = Length(dataLength, ackFrame, word);
        if (length > buffer.Length)
        {
            throw new ArgumentException("buffer too small for the reply", nameof(buffer));
        }

        ackFrame.CopyTo(buffer[dataLength..]);
        word.CopyTo(buffer[(dataLength + ackFrame.Length)..]);
        return length;
    }

    /// <summary>Composes a whole reply into <paramref name="destination"/>; returns its length.</summary>
    public static int Compose(ReadOnlySpan<byte> data, ReadOnlySpan<byte> ackFrame, ReadOnlySpan<byte> word, Span<byte> destination)
    {
        data.CopyTo(destination);
        return CompleteInPlace(destination, data.Length, ackFrame, word);
    }
}
