using Microsoft.Win32.SafeHandles;

namespace Netkit.Output;

/// <summary>
/// Started with stdin, stdout or stderr closed (<c>netkit ... &gt;&amp;-</c>), the next file or
/// socket the process opens takes that descriptor: strace shows the runtime's first descriptors
/// land on 1, so a socket could become "stdout" and get the data meant for the terminal, or a
/// log line. Each closed one is filled first with /dev/null opened read-only: reads see EOF,
/// writes fail with EBADF ("Bad file descriptor"), exactly as on the closed descriptor.
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
                // A chroot or sandbox with no /dev (or no access to it): nothing to fill with, and
                // no reason to die before the first line. The closed descriptors stay closed.
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
}
