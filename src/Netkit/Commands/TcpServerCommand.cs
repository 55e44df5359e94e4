using System.CommandLine;
using System.Globalization;
using System.Text;
using Netkit.Cli;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Tcp;
using Netkit.Operator;
using Netkit.Output;

namespace Netkit.Commands;

/// <summary><c>netkit tcp-server</c>: the tutorial's server, concurrent, or an RFC 862 echo server.</summary>
internal static class TcpServerCommand
{
    // Measured on 2 cores (bench/): one loop; a second gained nothing there, the load generator
    // owns the other core. With cores to spare, one per core, leaving one for everything else.
    private static int DefaultLoops => Environment.ProcessorCount <= 2 ? 1 : Environment.ProcessorCount - 1;

    public static Command Create()
    {
        var command = new Command("tcp-server",
            "Serve TCP clients. Seed mode (default) answers each chunk like the tutorial: the data, \"\\nI get it!\\n\", " +
            "then the operator's word (--reply, typed lines, or one line of piped stdin per chunk). --mode echo is RFC 862. " +
            "Prints 'listening on ADDRESS:PORT (tcp)' on stderr; SIGINT/SIGTERM drain, print a summary and exit 0.");
        var mode = CommonOptions.Enum<TcpServerMode>("--mode", "seed (the tutorial's conversation) or echo (RFC 862).", [("seed", TcpServerMode.Seed), ("echo", TcpServerMode.Echo)]);
        var ack = CommonOptions.Text("--ack", $"Acknowledgement sent as \"\\nTEXT\\n\" after each chunk. [default: \"{SeedReply.DefaultAck}\"]", "text");
        var noAck = CommonOptions.Flag("--no-ack", "Send no acknowledgement.");
        var reply = CommonOptions.Text("--reply", "Send this word after each ack automatically (no operator needed).", "text");
        var once = CommonOptions.Flag("--once", "Serve one client, then exit.");
        var backlog = CommonOptions.Count("--backlog", "Pending connections the OS queues (the kernel may cap it, see net.core.somaxconn).", 4096, 1, 65535);
        var maxConnections = CommonOptions.Count("--max-connections", "Clients served at once; more are closed at once and logged.", 10_000, 1, 10_000_000);
        var idle = CommonOptions.Timeout("--idle-timeout", "Close a connection silent for this long.", null);
        var shutdown = CommonOptions.Timeout("--shutdown-timeout", "On SIGINT/SIGTERM, how long clients may finish before they are reset.", TimeSpan.FromSeconds(5));
        var maxPerIp = CommonOptions.OptionalCount("--max-per-ip", "Clients served at once from one address; more are closed at once and logged. [default: no limit]", 1, 10_000_000);
        var firstByte = CommonOptions.Timeout("--first-byte-timeout", "Close a client that sends nothing this long after connecting (slowloris).", null);
        var maxSession = CommonOptions.Timeout("--max-session", "Close a client this long after it connected.", null);
        var sendTimeout = CommonOptions.Timeout("--send-timeout", "Close a client that does not read its replies for this long; meanwhile its reads are paused.", TimeSpan.FromSeconds(30));
        var statsInterval = CommonOptions.Timeout("--stats-interval", "Print a stats line (connections now and at peak, bytes, drops, reply times, top talkers) this often; SIGUSR1 prints one at any time, and so does /stats at the console.", null);
        var loops = CommonOptions.OptionalCount("--loops", "Linux: threads serving connections, each an epoll loop; 0 serves them with the runtime's async sockets (the transport of other platforms; also NETKIT_TRANSPORT=async). " +
            $"[default: one on up to 2 cores, else one per core but one: {DefaultLoops} here]", 0, 1024);
        var endpoint = EndpointOptions.AddServer(command);
        foreach (var option in new Option[] { mode.Option, ack, noAck, reply, once, backlog, maxConnections, maxPerIp, idle.Option, firstByte.Option, maxSession.Option, sendTimeout.Option, shutdown.Option, statsInterval.Option, loops })
        {
            command.Add(option);
        }

        var sockets = new SocketOptionSet(command, SocketRole.Listener, server: true);
        var access = new AccessOptionSet(command);
        var transcripts = new TranscriptOptionSet(command);
        CommonOptions.Validate(command, r =>
        {
            if (r.GetValue(noAck) && r.GetValue(ack) is not null)
            {
                r.AddError("--ack and --no-ack exclude each other");
            }

            if (mode.Get(r) == TcpServerMode.Echo && (r.GetValue(ack) is not null || r.GetValue(noAck) || r.GetValue(reply) is not null))
            {
                r.AddError("--ack, --no-ack and --reply apply to seed mode only");
            }
        });

        command.SetAction((r, cancel) => CommandHost.RunAsync(r, server: true, async context =>
        {
            if (access.Check(r, r.InvocationConfiguration.Output) is { } checkedCode)
            {
                return checkedCode;
            }

            return await transcripts.RunAsync(r, context, transcript => ServeAsync(r, context, transcript)).ConfigureAwait(false);
        }));
        return command;

        async Task<int> ServeAsync(ParseResult r, CommandContext context, Transcript? transcript)
        {
            var options = new TcpServerOptions
            {
                Tap = transcript,
                Mode = mode.Get(r) ?? TcpServerMode.Seed,
                AckFrame = r.GetValue(noAck) ? ReadOnlyMemory<byte>.Empty : SeedReply.FrameAck(r.GetValue(ack) ?? SeedReply.DefaultAck),
                AutoReply = r.GetValue(reply) is { } word ? Encoding.UTF8.GetBytes(word) : null,
                OperatorWords = mode.Get(r) != TcpServerMode.Echo && r.GetValue(reply) is null,
                Once = r.GetValue(once),
                MaxConnections = r.GetValue(maxConnections),
                IdleTimeout = idle.Get(r),
                MaxPerIp = r.GetValue(maxPerIp),
                FirstByteTimeout = firstByte.Get(r),
                MaxSession = maxSession.Get(r),
                SendTimeout = sendTimeout.Get(r),
                Access = access.Bind(r),
                ShutdownTimeout = shutdown.Get(r),
                EventLoops = r.GetValue(loops) ?? (Environment.GetEnvironmentVariable("NETKIT_TRANSPORT") == "async" ? 0 : DefaultLoops),
                // A measuring switch (bench/): the first loop accepts for all of them.
                AcceptOnEveryLoop = Environment.GetEnvironmentVariable("NETKIT_ACCEPT") != "first-loop",
            };
            var request = endpoint.Listen(r, sockets.Bind(r));
            var listener = await SocketBinder.ListenTcpAsync(request, r.GetValue(backlog), context.Stop).ConfigureAwait(false);
            var server = new TcpServer(listener, options, context.Loggers.CreateLogger("tcp-server"));
            using var forced = context.Abort.Register(server.Abort);
            context.Listening(server.LocalEndPoint, "tcp");

            void WriteStats() => StatsReport.Write(context.Status, server.Stats());
            using var statsSignal = StatsSignal.Register(WriteStats);
            if (statsInterval.Get(r) is { } every)
            {
                _ = StatsSignal.EveryAsync(every, TimeProvider.System, WriteStats, context.Stop);
            }

            OperatorConsole? console = null;
            if (server.Words is { } words)
            {
                // Not awaited: a read of stdin cannot be interrupted, and the server's end must not wait for one.
                console = StartConsole(server, words, context, WriteStats);
            }

            await server.RunAsync(context.Stop).ConfigureAwait(false);
            console?.Close();
            var c = server.Counters;
            var stats = server.Stats();
            var answered = server.Words is { } w ? string.Create(CultureInfo.InvariantCulture, $", words: {w.Answered} sent, {w.Released} released") : "";
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"summary: {c.Accepted} connection(s), {c.Rejected} rejected, {c.BytesIn} bytes in, {c.BytesOut} bytes out{answered}, drops: {c.DescribeDrops()}, errors: {c.Errors}, peak {stats.Peak} at once, {StatsReport.Replies(stats.ReplyTimes)}"),
                ("connections", c.Accepted), ("rejected", c.Rejected), ("bytesIn", c.BytesIn), ("bytesOut", c.BytesOut),
                ("wordsSent", server.Words?.Answered), ("wordsReleased", server.Words?.Released), ("drops", c.DropCounts()), ("errors", c.Errors),
                ("peak", stats.Peak), ("replies", stats.ReplyTimes.Count), ("replyP50Us", stats.ReplyTimes.Percentile(0.5) / 1000), ("replyP99Us", stats.ReplyTimes.Percentile(0.99) / 1000));
            return ExitCode.Ok;
        }
    }

    // The operator's words: typed on the terminal, or one line of piped stdin per chunk.
    private static OperatorConsole StartConsole(TcpServer server, WordRequests words, CommandContext context, Action stats)
    {
        var loggers = context.Loggers as ConsoleLoggers;
        var console = new OperatorConsole(server, words, context.Status, line => context.Say(line),
            level => loggers?.Minimum = level, stats);
        _ = CommandContext.InteractiveInput
            ? console.RunTerminalAsync(context.Stop)
            : console.RunPipeAsync(Console.OpenStandardInput(), context.Stop);
        return console;
    }
}
