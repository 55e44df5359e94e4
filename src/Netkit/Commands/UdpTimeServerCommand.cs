using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Netkit.Cli;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;
using Netkit.Output;

namespace Netkit.Commands;

/// <summary><c>netkit udp-time-server</c>: the tutorial's UDP server, 4 big-endian bytes of seconds.</summary>
internal static class UdpTimeServerCommand
{
    public static Command Create()
    {
        var command = new Command("udp-time-server",
            "Answer every datagram (empty ones too) with 4 big-endian bytes: seconds since 1970 (--epoch unix, the tutorial) " +
            "or since 1900 (--epoch rfc868, what rdate and inetd's time service speak). Prints 'listening on ADDRESS:PORT (udp)' " +
            "on stderr; SIGINT/SIGTERM print counts and exit 0.");
        var endpoint = EndpointOptions.AddServer(command);
        var epoch = EpochOption();
        var rate = CommonOptions.OptionalCount("--rate-limit", "Replies per second per source address; the excess is dropped and counted. [default: no limit]", 1, 10_000_000);
        var burst = CommonOptions.OptionalCount("--rate-burst", "Requests a source may send at once before --rate-limit applies. [default: the rate]", 1, 10_000_000);
        var privileged = CommonOptions.Flag("--allow-privileged-ports", "Answer source ports below 1024 too (off by default: a guard against echo/chargen reflection loops).");
        var statsInterval = CommonOptions.Timeout("--stats-interval", "Print a stats line (requests, replies, drops by reason, errors, bytes) this often; SIGUSR1 prints one at any time.", null);
        foreach (var option in new Option[] { epoch, rate, burst, privileged, statsInterval.Option })
        {
            command.Add(option);
        }

        var sockets = new SocketOptionSet(command, SocketRole.Datagram, server: true);
        var access = new AccessOptionSet(command);
        var transcripts = new TranscriptOptionSet(command);
        CommonOptions.Validate(command, r =>
        {
            if (r.GetValue(burst) is not null && r.GetValue(rate) is null)
            {
                r.AddError("--rate-burst needs --rate-limit");
            }
        });
        command.SetAction((r, _) => CommandHost.RunAsync(r, server: true, async context =>
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
            var request = endpoint.Listen(r, sockets.Bind(r));
            var socket = await SocketBinder.BindUdpAsync(request, context.Stop).ConfigureAwait(false);
            var options = new UdpTimeServerOptions
            {
                Tap = transcript,
                Epoch = r.GetValue(epoch) ?? TimeEpoch.Unix,
                Access = access.Bind(r),
                RateLimit = r.GetValue(rate),
                RateBurst = r.GetValue(burst),
                AllowPrivilegedPorts = r.GetValue(privileged),
            };
            var logger = context.Loggers.CreateLogger("udp-time-server");
            var server = new UdpTimeServer(socket, options, logger);
            context.Listening(server.LocalEndPoint, "udp");
            var counts = logger.IsEnabled(LogLevel.Debug) ? ReportCountsAsync(server, logger, context.Stop) : Task.CompletedTask;
            void WriteStats() => StatsReport.WriteUdp(context.Status, server.Counters);
            using var statsSignal = StatsSignal.Register(WriteStats);
            if (statsInterval.Get(r) is { } every)
            {
                _ = StatsSignal.EveryAsync(every, TimeProvider.System, WriteStats, context.Stop);
            }

            await server.RunAsync(context.Stop).ConfigureAwait(false);
            await counts.ConfigureAwait(false);
            var c = server.Counters;
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"summary: {c.Requests} request(s), {c.Replies} replied, {c.Dropped} dropped ({c.DescribeDrops()}), {c.Errors} error(s)"),
                ("requests", c.Requests), ("replied", c.Replies), ("dropped", c.Dropped), ("drops", c.DropCounts()), ("errors", c.Errors));
            return ExitCode.Ok;
        }
    }

    // With -v detailed, the counts every 10 seconds, so an operator sees the server is alive.
    private static async Task ReportCountsAsync(UdpTimeServer server, ILogger logger, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop).ConfigureAwait(false);
                var c = server.Counters;
                CliLog.UdpCounts(logger, c.Requests, c.Replies, c.Dropped, c.DescribeDrops(), c.Errors);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the summary follows.
        }
    }

    /// <summary><c>--epoch</c> of the server: it sends unix (the tutorial) unless told rfc868.</summary>
    internal static Option<TimeEpoch?> EpochOption() => CommonOptions.Enum<TimeEpoch?>("--epoch",
        "unix (seconds since 1970, the tutorial) or rfc868 (seconds since 1900, what rdate and inetd's time service speak).",
        [("unix", TimeEpoch.Unix), ("rfc868", TimeEpoch.Rfc868)]);
}
