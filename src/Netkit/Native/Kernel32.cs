using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Netkit.Native;

/// <summary>
/// The Windows counterpart of <see cref="Libc.Write"/>: stdout and stderr written with WriteFile,
/// so that a reader that went away is seen. The runtime's console stream swallows
/// ERROR_NO_DATA and ERROR_BROKEN_PIPE (Wine reports ERROR_PIPE_NOT_CONNECTED), so <c>netkit tcp-client ... | more</c> would go on
/// copying the peer's data into nothing after <c>more</c> quit (found under Wine).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    public const int StdOutputHandle = -11;
    public const int StdErrorHandle = -12;
    public const int ErrorBrokenPipe = 109;
    public const int ErrorNoData = 232;
    public const int ErrorPipeNotConnected = 233;

    [LibraryImport("kernel32.dll", EntryPoint = "GetStdHandle", SetLastError = true)]
    public static partial nint GetStdHandle(int which);

    [LibraryImport("kernel32.dll", EntryPoint = "WriteFile", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool WriteFile(nint handle, ReadOnlySpan<byte> buffer, int count, out int written, nint overlapped);
}
