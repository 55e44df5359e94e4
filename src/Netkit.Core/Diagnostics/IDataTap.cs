namespace Netkit.Core.Diagnostics;

/// <summary>
/// Sees every byte a connection moves, in order, as it moves (<c>--hexdump</c>, <c>--transcript</c>):
/// what was received, and what the kernel took of each send. Called on the connection's own thread
/// (its loop, its task), so it must not block: the one netkit has queues what it formats.
/// </summary>
public interface IDataTap
{
    /// <summary><paramref name="bytes"/> went in (<paramref name="received"/>) or out on connection <paramref name="connection"/>.</summary>
    void Data(int connection, bool received, ReadOnlySpan<byte> bytes);
}
