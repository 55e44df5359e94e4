namespace Netkit.Core.Protocols;

/// <summary>What an SNTP server says about its clock in every reply.</summary>
public sealed class SntpServerSettings
{
    /// <summary>The <c>LOCL</c> reference id: the local clock, traced to nothing netkit knows of.</summary>
    public static readonly uint LocalClock = SntpPacket.CodeId("LOCL");

    /// <summary>Stratum, 1-15 (default 10, as chrony's <c>local</c>: a clock of unknown ancestry that clients accept but rank low).</summary>
    public int Stratum { get; init; } = 10;

    /// <summary>Reference id: a code (<c>LOCL</c>, <c>GPS</c>) or the IPv4 address of the upstream server (default <c>LOCL</c>).</summary>
    public uint ReferenceId { get; init; } = LocalClock;

    /// <summary>The host clock is not synchronised: replies carry leap indicator 3 and stratum 16, and clients discard them.</summary>
    public bool Unsynchronized { get; init; }

    /// <summary>The clock's precision, log2 seconds (default -20, about a microsecond: DateTimeOffset's tick is 100 ns).</summary>
    public sbyte Precision { get; init; } = -20;

    /// <summary>Root dispersion claimed, the error bound to the reference (default 10 ms).</summary>
    public TimeSpan RootDispersion { get; init; } = TimeSpan.FromMilliseconds(10);
}
