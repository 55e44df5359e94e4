using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Netkit.Core;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;
using Netkit.Output;

namespace Netkit.Cli;

/// <summary>
/// Runs a command's body with logging and signal handling set up, and is the one place where
/// failures become a single <c>netkit: error: ...</c> line and an exit code. A server stopped by
/// SIGINT/SIGTERM exits 0; a client interrupted, or a server whose stop was forced by a second
/// signal (see <see cref="StopRequest"/>), exits 130.
/// </summary>
internal static class CommandHost
{
    /// <summary>How long a forced stop may take before the process exits regardless (a stuck write, a
    /// wedged callback): the forced path itself takes milliseconds.</summary>
    public static readonly TimeSpan ForcedExitBound = TimeSpan.FromSeconds(2);

    // Held here, never disposed: see RunAsync. A registration nobody references would be
    // unregistered by its finalizer at the next GC.
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static async Task<int> RunAsync(ParseResult result, bool server, Func<CommandContext, Task<int>> body)
    {
        var verbosity = result.GetValue(CommonOptions.Verbosity) ?? "normal";
        var format = Logging.ParseFormat(result.GetValue(CommonOptions.LogFormat));
        var error = new StatusWriter(result.InvocationConfiguration.Error, format, TimeProvider.System);
        using var loggers = Logging.Create(verbosity, format, TimeProvider.System);
        var request = new StopRequest(TimeProvider.System);
        var finished = false;

        // Never disposed: they stay for the rest of the process. A repeat of the stop signal can come
        // after this method returned, while the summary is still on its way to stderr; without a
        // handler it would get the default action and kill the process before it is written.
        lock (Registrations)
        {
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
            if (OperatingSystem.IsWindows())
            {
                // Windows has no signals: SIGINT is Ctrl+C, SIGQUIT Ctrl+Break (what GenerateConsoleCtrlEvent
                // can send to a process group), SIGHUP the console window closing and SIGTERM a logoff or
                // shutdown; the last two stop as SIGTERM does, within the few seconds Windows allows.
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal));
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal));
            }
        }
        var context = new CommandContext(loggers, error, verbosity == "quiet", request.Stop, request.Force);
        try
        {
            var code = await body(context).ConfigureAwait(false);
            return request.Force.IsCancellationRequested ? ExitCode.Interrupted : code;
        }
        catch (OperationCanceledException) when (request.Stop.IsCancellationRequested)
        {
            return server && !request.Force.IsCancellationRequested ? ExitCode.Ok : ExitCode.Interrupted;
        }
        catch (Exception e)
        {
            // The log lines the failure came after are written first (the logger writes them on
            // its own thread), so the error line is the last line, as scripts that `tail -1` expect.
            loggers.Dispose();
            return Report(error, e);
        }
        finally
        {
            Volatile.Write(ref finished, true);
        }

        void OnSignal(PosixSignalContext signal)
        {
            // Once the command is done, only repeats of its stop are swallowed; a new Ctrl+C while
            // the last lines drain gets the default action, as in any finished program.
            if (Volatile.Read(ref finished) && !request.Stop.IsCancellationRequested)
            {
                return;
            }

            signal.Cancel = true;
            if (request.Receive() == StopDecision.Force)
            {
                StartWatchdog();
            }
        }
    }

    // Every failure as one line and its exit code.
    private static int Report(StatusWriter error, Exception failure)
    {
        switch (failure)
        {
            case OutputException e:
                return OutputFailed(error, e);
            case NetkitException e:
                return Fail(error, e.Message, ExitCode.For(e.Kind));
            case SocketOptionException e:
                return Fail(error, e.Message, e.Denied ? ExitCode.Denied : ExitCode.Usage);
            case UsageException e:
                return Fail(error, e.Message, ExitCode.Usage);
            case BadTimeReplyException e:
                // The tutorial's own wording, so scripts that grep for it keep working.
                error.WriteKept(LogLevel.Error, "BadReply", e.Message, ("length", e.Length), ("exitCode", ExitCode.Protocol));
                return ExitCode.Protocol;
            case KissOfDeathException e:
                return Fail(error, e.Message, ExitCode.Denied);
            case IOException e:
                return Fail(error, "i/o: " + e.Message, ExitCode.Network);
            case SocketException e:
                return Fail(error, SocketErrors.Describe(e), ExitCode.For(SocketErrors.Classify(e.SocketErrorCode)));
            default:
                // A cancellation that is not the user's stop is a fault too: one line, never an
                // unhandled crash. The type helps a bug report; the table has no code for "netkit
                // is wrong", so it shares 1 with other failures to talk.
                return Fail(error, $"internal: {failure.GetType().Name}: {failure.Message}", ExitCode.Network);
        }
    }

    /// <summary>The one error line, <c>netkit: error: ...</c> (event <c>Error</c>, field <c>exitCode</c>); returns <paramref name="code"/>.</summary>
    public static int Fail(StatusWriter error, string message, int code)
    {
        error.WriteKept(LogLevel.Error, "Error", "netkit: error: " + message.ReplaceLineEndings(" "), ("exitCode", code));
        return code;
    }

    /// <summary>stdout failed: a reader that went away (EPIPE) ends the run quietly, as in any Unix
    /// tool; anything else (ENOSPC, EBADF) is an error with its own exit code.</summary>
    public static int OutputFailed(StatusWriter error, OutputException e)
        => e.BrokenPipe ? ExitCode.Ok : Fail(error, "stdout: " + e.Message, ExitCode.Output);

    // The forced stop resets every connection and returns at once; if something is stuck anyway
    // (a blocked write, a callback that never returns), the process still ends. A thread of its
    // own, not a timer: a starved thread pool must not delay it.
    private static void StartWatchdog() => new Thread(static () =>
    {
        Thread.Sleep(ForcedExitBound);
        Environment.Exit(ExitCode.Interrupted);
    })
    { IsBackground = true, Name = "netkit forced stop" }.Start();
}
