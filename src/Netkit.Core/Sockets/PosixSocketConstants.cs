namespace Netkit.Core.Sockets;

/// <summary>Option numbers .NET has no name for, per OS family (from the system headers).</summary>
internal static class PosixSocketConstants
{
    public const int SolSocketLinux = 1;
    public const int SoReuseAddrLinux = 2;
    public const int SoReusePortLinux = 15;
    public const int SoBindToDeviceLinux = 25;
    public const int SoRcvTimeoLinux = 20;
    public const int AfInet6Linux = 10;
    public const int SolSocketBsd = 0xffff;
    public const int SoReuseAddrBsd = 0x4;
    public const int SoReusePortBsd = 0x200;
    /// <summary>IFNAMSIZ, including the terminating zero.</summary>
    public const int InterfaceNameSize = 16;
}
