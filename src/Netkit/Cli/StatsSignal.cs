using System.Runtime.InteropServices;

namespace Netkit.Cli;

/// <summary>When a server prints its stats line: on SIGUSR1 (Unix), and every <c>--stats-interval</c>.</summary>
internal static class StatsSignal
{
    /// <summary>Calls <paramref name="write"/> on each SIGUSR1 until disposed (instead of the signal's default, which ends the process); nothing on Windows.</summary>
    public static IDisposable? Register(Action write)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        // PosixSignal takes a raw signal number: SIGUSR1 is 10 on Linux, 30 on macOS and the BSDs.
        var usr1 = (PosixSignal)(OperatingSystem.IsLinux() ? 10 : 30);
        return PosixSignalRegistration.Create(usr1, context =>
        {
            context.Cancel = true;
            write();
        });
    }

    /// <summary>Calls <paramref name="write"/> every <paramref name="interval"/> until <paramref name="stop"/>.</summary>
    public static async Task EveryAsync(TimeSpan interval, TimeProvider time, Action write, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                write();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the summary says the rest.
        }
    }
}
