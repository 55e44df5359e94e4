namespace Netkit.Core.Tcp;

/// <summary>A connection that started waiting for the operator's word (<see cref="WordRequests.WatchWaits"/>).</summary>
/// <param name="Id">The connection's number, as the log shows it (<c>#3</c>).</param>
public sealed record WordWait(int Id);
