namespace Netkit.Core.Sockets;

/// <summary>
/// One socket option as <c>netkit sockopts</c> shows it: where it lives, which netkit flag sets it,
/// whether the running OS has it, and its value on a fresh IPv4 TCP and UDP socket.
/// </summary>
/// <param name="Name">The C name, e.g. <c>SO_REUSEADDR</c>.</param>
/// <param name="Level">The protocol level, e.g. <c>SOL_SOCKET</c>, <c>IPPROTO_TCP</c>, <c>IPPROTO_IP</c>.</param>
/// <param name="Flag">The netkit command-line flag that sets it, e.g. <c>--reuse-address</c>; null when none does.</param>
/// <param name="Supported">False when the option does not exist on the running OS.</param>
/// <param name="TcpDefault">The value on a fresh TCP socket; null when the option does not apply to TCP or could not be read.</param>
/// <param name="UdpDefault">The value on a fresh UDP socket; null when the option does not apply to UDP or could not be read.</param>
/// <remarks>
/// Values read as the flags are written: booleans <c>on</c>/<c>off</c>, sizes and counts as plain
/// numbers, times as whole seconds with an <c>s</c> (<c>7200s</c>), linger as <c>off</c> or
/// <c>on,5s</c>, and an interface name as itself (empty when the socket is bound to none).
/// </remarks>
public sealed record SocketOptionInfo(
    string Name,
    string Level,
    string? Flag,
    bool Supported,
    string? TcpDefault,
    string? UdpDefault);
