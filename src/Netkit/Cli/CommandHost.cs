using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Netkit.Core;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;
using Netkit.Output;

namespace Netkit.Cli;

/// <summary>
/// Runs a command's body with logging and signal handling set up, and is the one place where
/// failures become a single <c>netkit: error: ...</c> line and an exit code. A server stopped by
/// SIGINT/SIGTERM exits 0; a client interrupted exits 130.
/// </summary>
internal static class CommandHost
{
    public static async Task<int> RunAsync(ParseResult result, bool server, Func<CommandContext, Task<int>> body)
    {
        var verbosity = result.GetValue(CommonOptions.Verbosity) ?? "normal";
        var error = result.InvocationConfiguration.Error;
        using var loggers = Logging.Create(verbosity, result.GetValue(CommonOptions.LogFormat) ?? "simple");
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var context = new CommandContext(loggers, error, verbosity == "quiet", stop.Token);
        try
        {
            return await body(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return server ? ExitCode.Ok : ExitCode.Interrupted;
        }
        catch (OutputException e)
        {
            return OutputFailed(error, e);
        }
        catch (NetkitException e)
        {
            return Fail(error, e.Message, ExitCode.For(e.Kind));
        }
        catch (SocketOptionException e)
        {
            return Fail(error, e.Message, e.Denied ? ExitCode.Denied : ExitCode.Usage);
        }
        catch (UsageException e)
        {
            return Fail(error, e.Message, ExitCode.Usage);
        }
        catch (BadTimeReplyException e)
        {
            // The tutorial's own wording, so scripts that grep for it keep working.
            LineQueueWriter.WriteLineKept(error, e.Message);
            return ExitCode.Protocol;
        }
        catch (IOException e)
        {
            return Fail(error, "i/o: " + e.Message, ExitCode.Network);
        }
        catch (SocketException e)
        {
            return Fail(error, SocketErrors.Describe(e), ExitCode.For(SocketErrors.Classify(e.SocketErrorCode)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failure nobody foresaw still reads as one line; the type helps a bug report. The
            // table has no code for "netkit is wrong", so it shares 1 with other failures to talk.
            return Fail(error, $"internal: {e.GetType().Name}: {e.Message}", ExitCode.Network);
        }

        void Stop(PosixSignalContext signal)
        {
            // The first signal is ours: servers drain and print a summary instead of dying. A second
            // one while draining gets the default action, so an impatient user is never stuck.
            if (stop.IsCancellationRequested)
            {
                return;
            }

            signal.Cancel = true;
            stop.Cancel();
        }
    }

    public static int Fail(TextWriter error, string message, int code)
    {
        LineQueueWriter.WriteLineKept(error, "netkit: error: " + message.ReplaceLineEndings(" "));
        return code;
    }

    /// <summary>stdout failed: a reader that went away (EPIPE) ends the run quietly, as in any Unix
    /// tool; anything else (ENOSPC, EBADF) is an error with its own exit code.</summary>
    public static int OutputFailed(TextWriter error, OutputException e)
        => e.BrokenPipe ? ExitCode.Ok : Fail(error, "stdout: " + e.Message, ExitCode.Output);
}
