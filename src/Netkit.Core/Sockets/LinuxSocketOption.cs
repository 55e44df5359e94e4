using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netkit.Core.Sockets;

/// <summary>
/// setsockopt(2) called directly, for the one option whose errno .NET loses: SO_BINDTODEVICE on a
/// missing interface fails with ENODEV, which .NET has no <see cref="SocketError"/> for, so its
/// exception says only "unknown socket error" (NativeErrorCode included). Linux only.
/// </summary>
internal static unsafe partial class LinuxSocketOption
{
    public const int Eperm = 1;
    public const int Enodev = 19;
    public const int Eacces = 13;

    /// <summary>Sets the option; returns 0, or the errno the kernel gave.</summary>
    public static int Set(Socket socket, int level, int name, ReadOnlySpan<byte> value)
    {
        fixed (byte* pointer = value)
        {
            return SetSockOpt(socket.SafeHandle, level, name, pointer, (uint)value.Length) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(SafeSocketHandle socket, int level, int name, byte* value, uint length);
}
