namespace Netkit.Core.Tcp;

/// <summary>A snapshot of one live connection, for the operator's <c>/list</c>.</summary>
/// <param name="Id">The short id (<c>#3</c> reads as 3).</param>
/// <param name="Remote">The peer, formatted.</param>
/// <param name="Since">When it was accepted.</param>
/// <param name="BytesIn">Bytes received so far.</param>
/// <param name="BytesOut">Bytes sent so far.</param>
/// <param name="Idle">How long neither side has sent anything, a wait for the operator's word included.</param>
/// <param name="Finished">The peer has closed its side (a FIN) while it waits for its word: it may still read it, or be gone.</param>
public sealed record TcpConnectionInfo(int Id, string Remote, DateTimeOffset Since, long BytesIn, long BytesOut, TimeSpan Idle, bool Finished);
