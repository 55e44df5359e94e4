using System.CommandLine;
using System.Text;
using Netkit.Cli;
using Netkit.Core.Sockets;
using Netkit.Core.Tcp;
using Netkit.Operator;
using Netkit.Output;

namespace Netkit.Commands;

/// <summary><c>netkit tcp-client</c>: the tutorial's client — send, half-close, print all until EOF.</summary>
internal static class TcpClientCommand
{
    public static Command Create()
    {
        var command = new Command("tcp-client",
            "Connect, send --message (or stdin to its end, binary safe), half-close, and write everything received to stdout " +
            "until the server closes. Prompts for what is missing when stdin is a terminal.");
        var endpoint = EndpointOptions.AddClient(command);
        var message = CommonOptions.Text("--message", "Text to send. [default: stdin to its end, or a prompt on a terminal]", "text", "-m");
        var connectTimeout = CommonOptions.Timeout("--connect-timeout", "Give up connecting to each address after this long.", TimeSpan.FromSeconds(10));
        var timeout = CommonOptions.Timeout("--timeout", "Give up (exit 3) when nothing moves either way for this long; a flowing upload or download is never cut.", null);
        var interactive = CommonOptions.Flag("--interactive", "Chat mode: typed lines go out as typed, received data prints as it comes.", "-i");
        var bench = CommonOptions.Flag("--bench", "Load mode, against any echo server: --connections held at once, each keeping --in-flight messages of --size bytes " +
            "in flight for --duration, every byte echoed checked; prints the rate, latency percentiles and errors (exit 4 on a wrong byte, 1 or 3 when connections fail or stall).");
        var connections = CommonOptions.Count("--connections", "Load mode: connections held at once.", 10, 1, 100_000);
        var duration = CommonOptions.OptionalDuration("--duration", "Load mode: how long messages are sent; what is owed then is still read and checked. [default: 10s]");
        var size = CommonOptions.Size("--size", "Load mode: bytes per message (e.g. 32, 4k, 1m). [default: 32]");
        var inFlight = CommonOptions.Count("--in-flight", "Load mode: messages each connection keeps sent and not yet echoed.", 1, 1, 4096);
        var json = CommonOptions.Flag("--json", "Load mode: the report as one JSON object on stdout.");
        foreach (var option in new Option[] { message, connectTimeout.Option, timeout.Option, interactive, bench, connections, duration, size, inFlight, json })
        {
            command.Add(option);
        }

        var sockets = new SocketOptionSet(command, SocketRole.Client, server: false);
        var transcripts = new TranscriptOptionSet(command);
        CommonOptions.Validate(command, r =>
        {
            if (r.GetValue(interactive) && r.GetValue(message) is not null)
            {
                r.AddError("--interactive and --message exclude each other");
            }

            if (r.GetValue(bench))
            {
                if (r.GetValue(interactive) || r.GetValue(message) is not null)
                {
                    r.AddError("--bench sends its own messages: without --message and --interactive");
                }

                // Beyond what the socket buffers on both sides hold, an echo can only deadlock: the
                // client's send waits for a server that waits for the client to read.
                if ((long)(r.GetValue(size) ?? 32) * r.GetValue(inFlight) > 1 << 20)
                {
                    r.AddError($"--size x --in-flight: at most 1 MiB in flight per connection ({(long)(r.GetValue(size) ?? 32) * r.GetValue(inFlight)} bytes asked)");
                }
            }
            else
            {
                foreach (var option in new Option[] { connections, duration, size, inFlight, json })
                {
                    if (r.GetResult(option) is { Implicit: false })
                    {
                        r.AddError($"{option.Name} is a --bench option: add --bench");
                    }
                }
            }
        });

        command.SetAction((r, _) => CommandHost.RunAsync(r, server: false, async context =>
        {
            var host = endpoint.Host(r) ?? endpoint.Typed(r, await context.PromptAsync("input server ip address :", "a server address is required (netkit tcp-client HOST)"));
            if (r.GetValue(bench))
            {
                var load = new TcpBenchOptions(r.GetValue(connections), r.GetValue(duration) ?? TimeSpan.FromSeconds(10), r.GetValue(size) ?? 32, r.GetValue(inFlight), timeout.Get(r) ?? TimeSpan.FromSeconds(5));
                var port = endpoint.Port(r, host);
                var result = await TcpBench.RunAsync(host.Host!, port, endpoint.Family(r), sockets.Bind(r), connectTimeout.Get(r) ?? TimeSpan.Zero, load,
                    context.Loggers.CreateLogger("tcp-client"), TimeProvider.System, context.Stop).ConfigureAwait(false);
                using var report = StandardOutput.Open();
                var server = host.Host!.Contains(':', StringComparison.Ordinal) ? $"[{host.Host}]:{port}" : $"{host.Host}:{port}";
                BenchReport.Write(report, server, load, result, r.GetValue(json));
                return context.Stop.IsCancellationRequested ? ExitCode.Interrupted : BenchReport.ExitCode(result);
            }

            var text = r.GetValue(message);
            if (text is null && !r.GetValue(interactive) && CommandContext.InteractiveInput)
            {
                text = await context.PromptAsync("Enter the message to be sent :", "a message is required");
            }

            // Opened first: a transcript that cannot be written fails before anything is sent.
            return await transcripts.RunAsync(r, context, async transcript =>
            {
                var logger = context.Loggers.CreateLogger("tcp-client");
                using var socket = await TcpConnector.ConnectAsync(host.Host!, endpoint.Port(r, host), endpoint.Family(r), sockets.Bind(r), connectTimeout.Get(r) ?? TimeSpan.Zero, logger, TimeProvider.System, context.Stop).ConfigureAwait(false);
                var session = new TcpClientSession(socket, timeout.Get(r), TimeProvider.System) { Tap = transcript };
                return await ConverseAsync(context, session, text, r.GetValue(interactive)).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }));
        return command;
    }

    // The tutorial's conversation, or chat mode: send, half-close, copy what comes back to stdout.
    private static async Task<int> ConverseAsync(CommandContext context, TcpClientSession session, string? text, bool interactive)
    {
        using var stdout = StandardOutput.Open();
        await using var progress = interactive || context.Status.Format != LogFormat.Simple ? null : TransferProgress.StartIfTerminal(session, context.Status.Target, TimeProvider.System);
        void Sent() => context.Say("sending completed.", "Sent");
        if (text is not null)
        {
            await session.RunAsync(Encoding.UTF8.GetBytes(text), stdout, Sent, context.Stop).ConfigureAwait(false);
        }
        else
        {
            // A person typing (chat mode, a terminal) is done when the server closes; a pipe or
            // a file is sent to its end whatever the server does.
            var typed = interactive || CommandContext.InteractiveInput;
            using var stdin = CommandContext.InteractiveInput ? TerminalStream.Open() : Console.OpenStandardInput();
            await session.RunAsync(stdin, stdout, typed, Sent, context.Stop).ConfigureAwait(false);
        }

        return ExitCode.Ok;
    }
}
