namespace Netkit.Core.Sockets;

/// <summary>Which IP family a user allows (<c>-4</c>, <c>-6</c>, or either).</summary>
public enum AddressFamilyPreference
{
    /// <summary>IPv4 or IPv6; servers listen dual-stack.</summary>
    Any,
    /// <summary>IPv4 only (<c>-4</c>).</summary>
    IPv4,
    /// <summary>IPv6 only (<c>-6</c>).</summary>
    IPv6,
}
