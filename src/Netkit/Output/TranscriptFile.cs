using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Netkit.Native;

namespace Netkit.Output;

/// <summary>
/// Opens a <c>--transcript</c> file for writing without ever blocking and without sharing it: a FIFO
/// nobody reads yet is opened later, on the writer's own thread (a plain open would wait there for a
/// reader, before the server even listens, deaf to SIGTERM); a regular file another netkit writes
/// (an exclusive flock, Unix; no write sharing, Windows) is refused before anything in it is touched,
/// as two writers would cut each other's lines. A regular file is truncated once it is ours. Devices
/// (<c>/dev/null</c>, <c>/dev/stderr</c>, a terminal) are neither locked nor truncated: they have no
/// lines to cut, and truncating <c>/dev/stderr</c> would empty the log file behind it.
/// </summary>
internal static class TranscriptFile
{
    private const int Enxio = 6; // a FIFO with no reader, opened without waiting (Linux and macOS)
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int LockExclusive = 2;
    private const int LockNoWait = 4;

    /// <summary>How to get the stream: at once, or (a FIFO without a reader) when the writer's thread first writes. Throws <see cref="IOException"/> saying why it cannot be opened.</summary>
    public static Func<Stream> Open(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            var stream = Guard(() => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1));
            return () => stream;
        }

        var device = Path.GetFullPath(path).StartsWith("/dev/", StringComparison.Ordinal);
        var (write, create, nonBlocking, closeOnExec) = OperatingSystem.IsMacOS() ? (1, 0x200, 0x4, 0x1000000) : (1, 0x40, 0x800, 0x80000);
        var fd = Libc.Open(path, write | create | nonBlocking | closeOnExec, Convert.ToInt32("666", 8));
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Enxio && !device)
            {
                // A FIFO: its reader may come later; the lines wait in the queue meanwhile.
                return () => new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            }

            throw new IOException(Marshal.GetPInvokeErrorMessage(errno).ToLowerInvariant());
        }

        if (!device)
        {
            if (Libc.Flock(fd, LockExclusive | LockNoWait) != 0 && Marshal.GetLastPInvokeError() == Libc.Eagain)
            {
                Libc.Close(fd);
                throw new IOException("another process is writing it");
            }

            // Ours now: emptied (a FIFO ignores it).
            _ = Libc.Ftruncate(fd, 0);
        }

        // Blocking again: the writer's thread may wait for a slow disk or reader, nobody else does.
        Libc.Fcntl(fd, FSetFl, Libc.Fcntl(fd, FGetFl, 0) & ~nonBlocking);
        var opened = Guard(() => new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1));
        return () => opened;
    }

    private static FileStream Guard(Func<FileStream> open)
    {
        try
        {
            return open();
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException("permission denied");
        }
    }
}
