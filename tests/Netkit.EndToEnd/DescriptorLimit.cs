using System.Runtime.InteropServices;

namespace Netkit.EndToEnd;

/// <summary>
/// RLIMIT_NOFILE for tests that hold thousands of sockets. The runtime raises the soft limit to the
/// hard one at start; as root a test may raise the hard limit too. Child processes inherit it.
/// </summary>
public static partial class DescriptorLimit
{
    private const int RlimitNofile = 7; // Linux

    /// <summary>Raises this process's limit to at least <paramref name="wanted"/> when it can; returns the soft limit now in force.</summary>
    public static ulong Raise(ulong wanted)
    {
        if (!OperatingSystem.IsLinux() || GetLimit(RlimitNofile, out var limit) != 0)
        {
            return 0;
        }

        if (limit.Current >= wanted)
        {
            return limit.Current;
        }

        var raised = new Limit { Current = wanted, Maximum = Math.Max(wanted, limit.Maximum) };
        if (SetLimit(RlimitNofile, in raised) != 0)
        {
            // Not root: the soft limit can still go up to the hard one.
            raised = new Limit { Current = Math.Min(wanted, limit.Maximum), Maximum = limit.Maximum };
            SetLimit(RlimitNofile, in raised);
        }

        return GetLimit(RlimitNofile, out limit) == 0 ? limit.Current : 0;
    }

    /// <summary>Sets process <paramref name="pid"/>'s limit (soft and hard) to <paramref name="limit"/>,
    /// below what it has open if need be: only new descriptors are refused. As root (prlimit(2)).</summary>
    public static bool SetFor(int pid, ulong limit)
    {
        var wanted = new Limit { Current = limit, Maximum = limit };
        return OperatingSystem.IsLinux() && ProcessLimit(pid, RlimitNofile, in wanted, IntPtr.Zero) == 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetLimit(int resource, out Limit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetLimit(int resource, in Limit limit);

    [LibraryImport("libc", EntryPoint = "prlimit")]
    private static partial int ProcessLimit(int pid, int resource, in Limit limit, IntPtr old);
}
