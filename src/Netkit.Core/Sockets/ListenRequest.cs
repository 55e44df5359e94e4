namespace Netkit.Core.Sockets;

/// <summary>Where and how a server binds.</summary>
/// <param name="Host">An address or name to bind, or null for every interface (dual-stack <c>[::]</c>).</param>
/// <param name="Port">The port; 0 lets the OS choose.</param>
/// <param name="Family">IPv4, IPv6 or either.</param>
/// <param name="Settings">Socket options applied before bind.</param>
public sealed record ListenRequest(string? Host, int Port, AddressFamilyPreference Family, SocketSettings Settings);
