using Microsoft.Win32.SafeHandles;

namespace Netkit.Output;

/// <summary>
/// Started with stdin, stdout or stderr closed (<c>netkit ... &gt;&amp;-</c>), the next file or
/// socket the process opens takes that descriptor: strace shows the runtime's first descriptors
/// land on 1, so a socket could become "stdout" and get the data meant for the terminal, or a
/// log line. Each closed one is filled first with /dev/null opened read-only: reads see EOF,
/// writes fail with EBADF ("Bad file descriptor"), exactly as on the closed descriptor. Without
/// /dev/null (a bare chroot), the read end of a pipe with no writer does the same.
/// </summary>
internal static class StandardDescriptors
{
    /// <summary>Call first in Main, before anything opens a file or a socket.</summary>
    public static void Reserve()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // open() returns the lowest free descriptor, so each call fills the next closed one.
        while (true)
        {
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A chroot or sandbox with no /dev (or no access to it): left closed, they would
                // take the runtime's signal pipe, and a peer's bytes written to "stdout" would
                // reach its signal handling. The read end of a pipe with no writer does as well.
                FillWithEmptyPipe();
                return;
            }

            if (handle.DangerousGetHandle() > 2)
            {
                handle.Dispose();
                return;
            }

            // Held for the process's life: marked invalid, so no finalizer ever closes it.
            handle.SetHandleAsInvalid();
        }
    }

    // Reads see EOF (no writer is left), writes fail with EBADF (a read end): /dev/null's behaviour.
    private static void FillWithEmptyPipe()
    {
        const int FDupFd = 0, FGetFd = 1; // the same on Linux and macOS
        Span<int> ends = stackalloc int[2];
        if (Native.Libc.Pipe(ends) != 0)
        {
            return;
        }

        // pipe() took the lowest free descriptors: the write end may sit on a closed 0-2; free it.
        Native.Libc.Close(ends[1]);
        for (var fd = 0; fd <= 2; fd++)
        {
            if (fd != ends[0] && Native.Libc.Fcntl(fd, FGetFd, 0) == -1)
            {
                Native.Libc.Fcntl(ends[0], FDupFd, fd); // the lowest free descriptor from fd up: fd
            }
        }

        if (ends[0] > 2)
        {
            Native.Libc.Close(ends[0]);
        }
    }
}
