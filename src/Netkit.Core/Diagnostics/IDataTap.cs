namespace Netkit.Core.Diagnostics;

/// <summary>
/// Sees every byte a connection moves, in order, as it moves (<c>--hexdump</c>, <c>--transcript</c>):
/// what was received, and what the kernel took of each send; and every datagram a UDP server
/// receives and sends. Called on the connection's own thread
/// (its loop, its task), so it must not block: the one netkit has queues what it formats.
/// </summary>
public interface IDataTap
{
    /// <summary><paramref name="bytes"/> went in (<paramref name="received"/>) or out on connection <paramref name="connection"/>.</summary>
    void Data(int connection, bool received, ReadOnlySpan<byte> bytes);

    /// <summary>A datagram from (<paramref name="received"/>) or to <paramref name="peer"/> (its address and port as logs show them); it may be empty.</summary>
    void Datagram(string peer, bool received, ReadOnlySpan<byte> bytes);
}
