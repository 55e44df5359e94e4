using System.CommandLine;
using System.Net;
using Netkit.Cli;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;
using Netkit.Output;

namespace Netkit.Commands;

/// <summary><c>netkit udp-time-client</c>: the tutorial's UDP client, with timeouts, retries and era handling.</summary>
internal static class UdpTimeClientCommand
{
    public static Command Create()
    {
        var command = new Command("udp-time-client",
            "Ask a time server: send an empty datagram, wait for a 4-byte reply from that address, print the time as " +
            "Python's time.ctime does (local time). A reply of another length prints 'reply error N: BYTES' and exits 4.");
        var endpoint = EndpointOptions.AddClient(command);
        // Auto is a value of its own: a parser that returned null for it made --epoch auto fail with
        // an InvalidCastException (found by the hostile pass), though it is the default.
        var epoch = CommonOptions.Enum<EpochReading?>("--epoch",
            "How to read the seconds: auto (the reading nearest the local clock), unix (since 1970) or rfc868 (since 1900); a named epoch is never read before its start (as Python reads a Unix count), and past its 32-bit wrap (2106, 2036) the next era is read.",
            [("auto", EpochReading.Auto), ("unix", EpochReading.Unix), ("rfc868", EpochReading.Rfc868)]);
        var timeout = CommonOptions.Timeout("--timeout", "First wait for a reply; each retry waits 1.5 times longer.", TimeSpan.FromSeconds(2));
        var retries = CommonOptions.Count("--retries", "Requests sent again when no reply comes.", 3, 0, 100);
        var json = CommonOptions.Flag("--json", "Print one JSON object per reply, one per line (JSON Lines): server time (ISO 8601 and seconds), local time, offset (allowing for the whole-second reply), its uncertainty, round trip and epoch. With --bench: the report, as one JSON object.");
        var broadcast = CommonOptions.Flag("--broadcast", "HOST is a broadcast address: collect every reply within --timeout, one line per responder.");
        var bench = CommonOptions.Flag("--bench", "Load mode, against any UDP time server: --sockets each keeping --in-flight requests unanswered, at --rate requests/s in all " +
            "(0: as fast as replies come), for --duration; every reply checked (4 bytes, exit 4 otherwise); prints the rate, losses (no reply within --timeout) and latency percentiles.");
        var sockets = CommonOptions.Count("--sockets", "Load mode: sockets (source ports) asking at once.", 4, 1, 1024);
        var inFlight = CommonOptions.Count("--in-flight", "Load mode: requests each socket keeps unanswered at most.", 32, 1, 4096);
        var rate = CommonOptions.Count("--rate", "Load mode: requests per second in all; 0 asks as fast as replies come.", 0, 0, 100_000_000);
        var duration = CommonOptions.OptionalDuration("--duration", "Load mode: how long requests are sent. [default: 10s]");
        foreach (var option in new Option[] { epoch, timeout.Option, retries, json, broadcast, bench, sockets, inFlight, rate, duration })
        {
            command.Add(option);
        }

        var socketOptions = new SocketOptionSet(command, SocketRole.Datagram, server: false, broadcastFlag: false);
        CommonOptions.Validate(command, r =>
        {
            if (r.GetValue(bench))
            {
                if (r.GetValue(broadcast))
                {
                    r.AddError("--bench asks one server: without --broadcast");
                }
            }
            else
            {
                foreach (var option in new Option[] { sockets, inFlight, rate, duration })
                {
                    if (r.GetResult(option) is { Implicit: false })
                    {
                        r.AddError($"{option.Name} is a --bench option: add --bench");
                    }
                }
            }

            // Replies to a broadcast are collected until the timeout: without one it never ends.
            if (r.GetValue(broadcast) && r.GetValue(timeout.Option) == TimeSpan.Zero)
            {
                r.AddError("--broadcast collects replies for --timeout, which cannot be 0 (never) with it");
            }
        });
        command.SetAction((r, _) => CommandHost.RunAsync(r, server: false, async context =>
        {
            var host = endpoint.Host(r) ?? endpoint.Typed(r, await context.PromptAsync("input server address :", "a server address is required (netkit udp-time-client HOST)"));
            var port = endpoint.Port(r, host);
            var addresses = await HostResolver.ResolveAsync(host.Host!, endpoint.Family(r), context.Stop).ConfigureAwait(false);
            var server = new IPEndPoint(addresses[0], port);
            if (r.GetValue(bench))
            {
                // A loss is a request unanswered for --timeout (2s by default; 0, never, would hang the run: 2s).
                var load = new UdpBenchOptions(r.GetValue(sockets), r.GetValue(inFlight), r.GetValue(rate), r.GetValue(duration) ?? TimeSpan.FromSeconds(10),
                    timeout.Get(r) is { } loss && loss > TimeSpan.Zero ? loss : TimeSpan.FromSeconds(2));
                var result = await UdpBench.RunAsync(server, socketOptions.Bind(r), load, TimeProvider.System, context.Stop).ConfigureAwait(false);
                using var report = StandardOutput.Open();
                UdpBenchReport.Write(report, EndpointText.Format(server), load, result, r.GetValue(json));
                return context.Stop.IsCancellationRequested ? ExitCode.Interrupted : UdpBenchReport.ExitCode(result);
            }

            var query = new TimeQuery { Timeout = timeout.Get(r) ?? TimeSpan.Zero, Retries = r.GetValue(retries), Settings = socketOptions.Bind(r) };
            var logger = context.Loggers.CreateLogger("udp-time-client");
            var chosen = r.GetValue(epoch) switch
            {
                EpochReading.Unix => TimeEpoch.Unix,
                EpochReading.Rfc868 => TimeEpoch.Rfc868,
                _ => (TimeEpoch?)null,
            };
            using var stdout = StandardOutput.Open();
            context.Say("waiting for a reply ......", "Waiting");
            var readings = r.GetValue(broadcast)
                ? await UdpTimeClient.CollectAsync(server, query, logger, TimeProvider.System, context.Stop).ConfigureAwait(false)
                : [await UdpTimeClient.QueryFirstAsync([.. addresses.Select(a => new IPEndPoint(a, port))], query, logger, TimeProvider.System, context.Stop).ConfigureAwait(false)];
            if (readings.Count == 0)
            {
                throw new Core.NetkitException(Core.FailureKind.Timeout, $"no reply to the broadcast on {EndpointText.Format(server)} within {Core.Diagnostics.DurationText.Format(query.Timeout)}");
            }

            foreach (var reading in readings)
            {
                var (time, used) = chosen is { } fixedEpoch
                    ? (TimeDatagram.DecodeFrom(reading.Value, fixedEpoch, reading.LocalTime), fixedEpoch)
                    : TimeDatagram.DecodeNearest(reading.Value, reading.LocalTime);
                if (r.GetValue(json))
                {
                    TimeReport.WriteJson(stdout, reading, time, used);
                    continue;
                }

                var line = CTime.Format(time, TimeZoneInfo.Local);
                if (r.GetValue(broadcast))
                {
                    line = EndpointText.Format(reading.Server) + " " + line;
                }

                stdout.Write(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
            }

            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>How the client reads the 4 bytes: <c>--epoch auto</c> (default) picks the reading nearest the local clock.</summary>
    private enum EpochReading
    {
        Auto,
        Unix,
        Rfc868,
    }
}
