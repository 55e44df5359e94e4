namespace Netkit.Core.Tcp;

/// <summary>What a TCP server answers.</summary>
public enum TcpServerMode
{
    /// <summary>The tutorial's conversation: data, ack, operator word.</summary>
    Seed,
    /// <summary>RFC 862 echo: bytes back verbatim, nothing added.</summary>
    Echo,
}
