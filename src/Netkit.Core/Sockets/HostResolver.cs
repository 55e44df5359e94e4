using System.Net;
using System.Net.Sockets;

namespace Netkit.Core.Sockets;

/// <summary>Turns what a user typed as a host into addresses: literal IPv4, IPv6 (with or without
/// brackets) or a name resolved through the system resolver, filtered by the family preference.</summary>
public static class HostResolver
{
    /// <summary>Every address for <paramref name="host"/> allowed by <paramref name="family"/>, in resolver order.</summary>
    public static async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, AddressFamilyPreference family, CancellationToken cancellationToken)
    {
        var text = host.Trim();
        if (text.Length > 2 && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
        }

        IPAddress[] found;
        if (IPAddress.TryParse(text, out var literal))
        {
            found = [literal];
        }
        else
        {
            try
            {
                // On Linux without the runtime's Dns: see LinuxResolver. A name longer than DNS allows
                // (or with a NUL) is refused as Dns refuses it.
                found = !OperatingSystem.IsLinux()
                    ? await Dns.GetHostAddressesAsync(text, cancellationToken).ConfigureAwait(false)
                    : text.Length is 0 or > 255 || text.Contains('\0', StringComparison.Ordinal)
                        ? throw new ArgumentException("not a host name", nameof(host))
                        : await Task.Run(() => LinuxResolver.Resolve(text), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new NetkitException(FailureKind.Network, $"resolve {host}: {SocketErrors.Describe(e)}", e);
            }
            catch (ArgumentException e)
            {
                throw new NetkitException(FailureKind.Usage, $"resolve {host}: not a host name", e);
            }
        }

        var allowed = Array.FindAll(found, a => Allows(family, a));
        if (allowed.Length == 0)
        {
            var which = family == AddressFamilyPreference.IPv4 ? "IPv4" : "IPv6";
            throw new NetkitException(FailureKind.Network, $"resolve {host}: no {which} address");
        }

        return allowed;
    }

    private static bool Allows(AddressFamilyPreference family, IPAddress address) => family switch
    {
        AddressFamilyPreference.IPv4 => address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6,
        AddressFamilyPreference.IPv6 => address.AddressFamily == AddressFamily.InterNetworkV6,
        _ => true,
    };
}
