using System.Net;
using Netkit.Core.Diagnostics;
using Netkit.Core.Sockets;

namespace Netkit.Core.Policy;

/// <summary>
/// Whether a UDP server answers a datagram, decided from its sender's raw sockaddr alone, before a
/// reply is composed: the access list, the privileged source port guard, the own-address guard, and
/// last the per-source rate limit, so a datagram refused for another reason spends no token. Called
/// for every datagram by every receive loop at once: it allocates nothing and keeps no state of its
/// own (the rate limiter locks its table).
/// </summary>
public sealed class DatagramAdmission
{
    private readonly AccessList _access;
    private readonly bool _allowPrivilegedPorts;
    private readonly SourceRateLimiter? _limiter;
    private readonly int _localPort;
    private readonly byte[] _localAddress;

    /// <summary>A source port below 1024 that is answered all the same (123 for SNTP: ntpd and Windows
    /// ask from it, and a server's mode-4 reply is never answered, so it cannot start a loop); -1 for none.</summary>
    public int ExemptPort { get; init; } = -1;

    /// <summary>
    /// Admits for a socket bound to <paramref name="local"/>; <paramref name="allowPrivilegedPorts"/>
    /// answers source ports below 1024 too; <paramref name="limiter"/> is null for no rate limit.
    /// </summary>
    public DatagramAdmission(AccessList access, bool allowPrivilegedPorts, SourceRateLimiter? limiter, EndPoint? local)
    {
        _access = access;
        _allowPrivilegedPorts = allowPrivilegedPorts;
        _limiter = limiter;
        var bound = local as IPEndPoint;
        _localPort = bound?.Port ?? -1;
        _localAddress = bound?.Address.GetAddressBytes() ?? [];
    }

    /// <summary>Why the datagram from <paramref name="sockaddr"/> (a raw sockaddr, as long as the OS
    /// reported) gets no answer, or null to answer it. A datagram that is not
    /// <paramref name="wellFormed"/> is <see cref="DropReason.Malformed"/> before the rate limit is
    /// asked, so garbage spends no token of its source's.</summary>
    public DropReason? Refuse(ReadOnlySpan<byte> sockaddr, bool wellFormed = true)
    {
        // Not an IP sender at all: nobody an access list could have allowed.
        if (!SocketAddressParts.TryParse(sockaddr, out var sender))
        {
            return DropReason.Acl;
        }

        var address = sender.Address;
        if (!_access.IsOpen && !_access.Decide(address).Allowed)
        {
            return DropReason.Acl;
        }

        if (sender.Port < 1024 && !_allowPrivilegedPorts && sender.Port != ExemptPort)
        {
            return DropReason.PrivilegedPort;
        }

        if (sender.Port == _localPort && IsOwnAddress(address))
        {
            return DropReason.OwnAddress;
        }

        if (!wellFormed)
        {
            return DropReason.Malformed;
        }

        return _limiter is not null && !_limiter.TryTake(address) ? DropReason.RateLimit : null;
    }

    // A datagram "from" our own port on our own address would make us talk to ourselves.
    private bool IsOwnAddress(ReadOnlySpan<byte> address)
    {
        if (address.Length == 16 && Cidr.IsV4Mapped(address))
        {
            address = address[12..];
        }

        var local = _localAddress.AsSpan();
        var unspecified = local.IndexOfAnyExcept((byte)0) < 0;
        if (!unspecified)
        {
            return address.SequenceEqual(local) || (local.Length == 16 && Cidr.IsV4Mapped(local) && address.SequenceEqual(local[12..]));
        }

        // Bound to every interface: any loopback source is us (other local addresses are rare enough
        // to leave to --deny).
        return address.Length == 4 ? address[0] == 127 : address[..15].IndexOfAnyExcept((byte)0) < 0 && address[15] == 1;
    }
}
