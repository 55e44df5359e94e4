using System.CommandLine;
using System.Globalization;
using System.Net;
using Netkit.Cli;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Tcp;
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
            "Python's time.ctime does (local time); another length prints 'reply error N: BYTES', exit 4. " +
            "--tcp: RFC 868 over TCP; --protocol sntp: any NTP server, with offset and delay; --count repeats; --max-offset checks (exit 8).");
        var endpoint = EndpointOptions.AddClient(command);
        // Auto is a value of its own: a parser that returned null for it made --epoch auto fail with
        // an InvalidCastException (found by the hostile pass), though it is the default.
        var epoch = CommonOptions.Enum<EpochReading>("--epoch",
            "How to read the seconds: auto (the reading nearest the local clock), unix (since 1970) or rfc868 (since 1900); a named epoch is never read before its start (as Python reads a Unix count), and past its 32-bit wrap (2106, 2036) the next era is read.",
            [("auto", EpochReading.Auto), ("unix", EpochReading.Unix), ("rfc868", EpochReading.Rfc868)]);
        var timeout = CommonOptions.Timeout("--timeout", "First wait for a reply; each retry waits 1.5 times longer.", TimeSpan.FromSeconds(2));
        var retries = CommonOptions.Count("--retries", "Requests sent again when no reply comes.", 3, 0, 100);
        var json = CommonOptions.Flag("--json", "Print JSON Lines: an object per reply (docs/cli.md), with --count a summary last; with --bench the report.");
        var broadcast = CommonOptions.Flag("--broadcast", "HOST is a broadcast address: collect every reply within --timeout, one line per responder.");
        var bench = CommonOptions.Flag("--bench", "Load mode, against any UDP time server: --sockets each keeping --in-flight requests unanswered, at --rate requests/s in all " +
            "(0: as fast as replies come), for --duration; every reply checked (4 bytes, or SNTP's mode 4; exit 4 otherwise); prints the rate, losses (no reply within --timeout) and latency percentiles.");
        var sockets = CommonOptions.Count("--sockets", "Load mode: sockets (source ports) asking at once.", 4, 1, 1024);
        var inFlight = CommonOptions.Count("--in-flight", "Load mode: requests each socket keeps unanswered at most.", 32, 1, 4096);
        var rate = CommonOptions.Count("--rate", "Load mode: requests per second in all; 0 asks as fast as replies come.", 0, 0, 100_000_000);
        var duration = CommonOptions.OptionalDuration("--duration", "Load mode: how long requests are sent. [default: 10s]");
        var protocol = UdpTimeServerCommand.ProtocolOption("time (the 4-byte count) or sntp (port 123 unless given): offset and delay from NTP timestamps; a reply not echoing our random transmit time is ignored; " +
            "Kiss-o'-Death exits 5 (with --count, RATE doubles --interval); an unsynchronised server exits 4.");
        var tcp = CommonOptions.Flag("--tcp", "Ask over TCP (RFC 868: 4 bytes, then the server closes), as rdate does; --timeout covers it all, no retries.");
        var count = CommonOptions.OptionalCount("--count", "Ask N times, --interval apart, a line per reply, then a summary (losses, min/median/max offset and delay). [default: 1; --interval alone: until Ctrl+C]", 1, 1_000_000);
        var interval = CommonOptions.OptionalDuration("--interval", "Time between queries; SNTP at least 15s (RFC 4330) unless the server is on this host. [default: 1s; sntp 15s]");
        var maxOffset = CommonOptions.OptionalDuration("--max-offset", "A monitoring check: exit 8 when the median offset is beyond this (e.g. 100ms; the 4-byte count is good to about 0.5s).");
        foreach (var option in new Option[] { protocol.Option, tcp, epoch.Option, timeout.Option, retries, json, broadcast, count, interval, maxOffset, bench, sockets, inFlight, rate, duration })
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

            var sntp = protocol.Get(r) == TimeProtocol.Sntp;
            var repeated = r.GetValue(count) is not null || r.GetValue(interval) is not null || r.GetValue(maxOffset) is not null;
            if (r.GetValue(tcp) && (sntp || r.GetValue(broadcast) || r.GetValue(bench)))
            {
                r.AddError("--tcp asks one server for the 4-byte time: not with --protocol sntp, --broadcast or --bench");
            }

            if (r.GetValue(tcp) && r.GetResult(retries) is { Implicit: false })
            {
                r.AddError("--retries resends a datagram: --tcp has none (TCP retransmits by itself; --timeout bounds it)");
            }

            if (repeated && (r.GetValue(broadcast) || r.GetValue(bench)))
            {
                r.AddError("--count, --interval and --max-offset ask one server again and again: not with --broadcast or --bench");
            }

            if (sntp && epoch.Get(r) is EpochReading.Unix or EpochReading.Rfc868)
            {
                r.AddError("--epoch reads the 4-byte count; SNTP timestamps always count from 1900");
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
            // SNTP servers (chrony, ntpd, routers, pools) answer on 123; the tutorial's 4-byte service on 12345.
            var port = protocol.Get(r) == TimeProtocol.Sntp ? endpoint.Port(r, host, 123) : endpoint.Port(r, host);
            var addresses = await HostResolver.ResolveAsync(host.Host!, endpoint.Family(r), context.Stop).ConfigureAwait(false);
            var server = new IPEndPoint(addresses[0], port);
            if (r.GetValue(bench))
            {
                // A loss is a request unanswered for --timeout (2s by default; 0, never, would hang the run: 2s).
                var load = new UdpBenchOptions(r.GetValue(sockets), r.GetValue(inFlight), r.GetValue(rate), r.GetValue(duration) ?? TimeSpan.FromSeconds(10),
                    timeout.Get(r) is { } loss && loss > TimeSpan.Zero ? loss : TimeSpan.FromSeconds(2))
                {
                    Protocol = protocol.Get(r) ?? TimeProtocol.Time,
                };
                var result = await UdpBench.RunAsync(server, socketOptions.Bind(r), load, TimeProvider.System, context.Stop).ConfigureAwait(false);
                using var report = StandardOutput.Open();
                UdpBenchReport.Write(report, EndpointText.Format(server), load, result, r.GetValue(json));
                return context.Stop.IsCancellationRequested ? ExitCode.Interrupted : UdpBenchReport.ExitCode(result);
            }

            var sntpQuery = protocol.Get(r) == TimeProtocol.Sntp;
            var query = new TimeQuery
            {
                Timeout = timeout.Get(r) ?? TimeSpan.Zero,
                Retries = r.GetValue(retries),
                Settings = socketOptions.Bind(r),
                Protocol = protocol.Get(r) ?? TimeProtocol.Time,
            };
            var logger = context.Loggers.CreateLogger("udp-time-client");
            var chosen = epoch.Get(r) switch
            {
                EpochReading.Unix => TimeEpoch.Unix,
                EpochReading.Rfc868 => TimeEpoch.Rfc868,
                _ => (TimeEpoch?)null,
            };
            (DateTimeOffset Time, TimeEpoch Epoch) Read(TimeReading reading) => reading.Sntp is { } sample
                ? (sample.ServerTime, TimeEpoch.Rfc868)
                : chosen is { } fixedEpoch
                    ? (TimeDatagram.DecodeFrom(reading.Value, fixedEpoch, reading.LocalTime), fixedEpoch)
                    : TimeDatagram.DecodeNearest(reading.Value, reading.LocalTime);
            Task<TimeReading> AskAsync() => r.GetValue(tcp)
                ? TcpTimeClient.QueryAsync(host.Host!, port, endpoint.Family(r), query, logger, TimeProvider.System, context.Stop)
                : UdpTimeClient.QueryFirstAsync([.. addresses.Select(a => new IPEndPoint(a, port))], query, logger, TimeProvider.System, context.Stop);
            using var stdout = StandardOutput.Open();
            if (r.GetValue(count) is not null || r.GetValue(interval) is not null || r.GetValue(maxOffset) is not null)
            {
                var every = r.GetValue(interval) ?? (sntpQuery ? SntpMinimumInterval : TimeSpan.FromSeconds(1));
                if (sntpQuery && every < SntpMinimumInterval && !IPAddress.IsLoopback(server.Address))
                {
                    throw new UsageException($"--interval {Core.Diagnostics.DurationText.Format(every)}: an SNTP server may be asked at most every 15s (RFC 4330); less is allowed only to a server on this host");
                }

                var times = r.GetValue(count) ?? (r.GetValue(interval) is null ? 1 : 0);
                return await MonitorAsync(context, stdout, EndpointText.Format(server), AskAsync, Read, times, every, r.GetValue(maxOffset), r.GetValue(json)).ConfigureAwait(false);
            }

            context.Say("waiting for a reply ......", "Waiting");
            var readings = r.GetValue(broadcast)
                ? await UdpTimeClient.CollectAsync(server, query, logger, TimeProvider.System, context.Stop).ConfigureAwait(false)
                : [await AskAsync().ConfigureAwait(false)];
            if (readings.Count == 0)
            {
                throw new Core.NetkitException(Core.FailureKind.Timeout, $"no reply to the broadcast on {EndpointText.Format(server)} within {Core.Diagnostics.DurationText.Format(query.Timeout)}");
            }

            foreach (var reading in readings)
            {
                var (time, used) = Read(reading);
                if (r.GetValue(json))
                {
                    TimeReport.WriteJson(stdout, reading, time, used);
                    continue;
                }

                var line = reading.Sntp is not null ? TimeReport.Line(reading, time) : CTime.Format(time, TimeZoneInfo.Local);
                if (r.GetValue(broadcast) && reading.Sntp is null)
                {
                    line = EndpointText.Format(reading.Server) + " " + line;
                }

                stdout.Write(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
            }

            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>RFC 4330, section 10: a client must never poll a server more often than every 15 seconds.</summary>
    private static readonly TimeSpan SntpMinimumInterval = TimeSpan.FromSeconds(15);

    // --count/--interval: ask again and again, a line per reply, then the summary. A query that gets
    // no reply is a loss and the run goes on; a Kiss-o'-Death RATE doubles the interval; DENY, RSTR
    // and any other failure end the run (after the summary, which counts that query too). Exit: 130
    // when Ctrl+C cut a --count run short (or came before any reply); 5 when every answer was a
    // Kiss-o'-Death; 3 when nothing came back; 8 when the median offset is beyond --max-offset
    // (for the 4-byte count, beyond it by more than the count's uncertainty); else 0.
    private static async Task<int> MonitorAsync(CommandContext context, Stream stdout, string server, Func<Task<TimeReading>> ask,
        Func<TimeReading, (DateTimeOffset Time, TimeEpoch Epoch)> read, int times, TimeSpan every, TimeSpan? maxOffset, bool json)
    {
        var time = TimeProvider.System;
        var samples = new List<(TimeSpan Offset, TimeSpan Delay)>();
        var asked = 0;
        var lost = 0;
        var kisses = 0;
        var uncertainty = TimeSpan.Zero;
        Exception? failure = null;
        KissOfDeathException? lastKiss = null;
        var next = time.GetTimestamp();
        for (var i = 0; times == 0 || i < times; i++)
        {
            try
            {
                if (i > 0)
                {
                    var wait = every - time.GetElapsedTime(next);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, context.Stop).ConfigureAwait(false);
                    }
                }

                next = time.GetTimestamp();
                asked++;
                var reading = await ask().ConfigureAwait(false);
                var (serverTime, epoch) = read(reading);
                samples.Add(TimeReport.Measure(reading, serverTime));
                if (reading.Sntp is null)
                {
                    uncertainty = TimeOffset.Uncertainty(reading) > uncertainty ? TimeOffset.Uncertainty(reading) : uncertainty;
                }

                if (json)
                {
                    TimeReport.WriteJson(stdout, reading, serverTime, epoch);
                }
                else
                {
                    stdout.Write(System.Text.Encoding.UTF8.GetBytes(TimeReport.Line(reading, serverTime) + "\n"));
                }
            }
            catch (OperationCanceledException) when (context.Stop.IsCancellationRequested)
            {
                break;
            }
            catch (Core.NetkitException e) when (e.Kind == Core.FailureKind.Timeout)
            {
                lost++;
                context.Status.Write(Microsoft.Extensions.Logging.LogLevel.Warning, "Lost", $"lost: {e.Message}", ("server", server), ("reason", e.Message));
            }
            catch (KissOfDeathException e) when (e.SlowDown)
            {
                kisses++;
                lastKiss = e;
                var more = times == 0 || i + 1 < times;
                every *= more ? 2 : 1;
                // The last query's kiss, with no reply before it, is the error line itself.
                if (more || samples.Count > 0)
                {
                    context.Status.Write(Microsoft.Extensions.Logging.LogLevel.Warning, "KissOfDeath",
                        more ? $"{e.Message}: asking every {Core.Diagnostics.DurationText.Format(every)} from now on" : e.Message,
                        ("server", server), ("code", e.Code), ("interval", every));
                }
            }
            catch (KissOfDeathException e)
            {
                kisses++;
                failure = e;
                break;
            }
            catch (Exception e) when (e is Core.NetkitException or BadTimeReplyException)
            {
                failure = e;
                break;
            }
        }

        // The median, and for the 4-byte count how far beyond the limit it surely is: the count is
        // only good to the uncertainty, and a correct clock must not fail the check.
        var (offsets, delays) = TimeReport.Sorted(samples);
        var median = TimeReport.Median(offsets);
        var beyond = maxOffset is { } limit && samples.Count > 0 && median.Duration() - uncertainty > limit;
        // Ctrl+C cut a --count run short, or came before any answer: 130. With --interval alone it is
        // how such a run ends, and the answers decide.
        var interrupted = context.Stop.IsCancellationRequested && (times > 0 || samples.Count + kisses == 0);
        var status = failure is not null ? "failed" : interrupted ? "interrupted"
            : samples.Count == 0 ? (kisses > 0 ? "kiss-of-death" : "no-reply") : beyond ? "offset" : "ok";
        TimeReport.WriteSummary(stdout, server, asked, offsets, delays, lost, kisses, status, json);
        if (failure is not null)
        {
            throw failure;
        }

        if (interrupted)
        {
            return ExitCode.Interrupted;
        }

        if (samples.Count == 0)
        {
            throw lastKiss is not null
                ? lastKiss
                : new Core.NetkitException(Core.FailureKind.Timeout, $"no reply from {server} to {asked} quer{(asked == 1 ? "y" : "ies")}");
        }

        if (beyond)
        {
            var slack = uncertainty > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $" by more than the 4-byte count's uncertainty ({uncertainty.TotalSeconds:0.000} s)") : "";
            return CommandHost.Fail(context.Status, string.Create(CultureInfo.InvariantCulture,
                $"offset {TimeReport.Seconds(median)} (median of {samples.Count}) is beyond --max-offset {Duration(maxOffset!.Value)}{slack}"), ExitCode.Offset);
        }

        return ExitCode.Ok;
    }

    // A duration as the user would write it (100ms, 1.5ms): the short form when it says exactly this span.
    private static string Duration(TimeSpan span)
    {
        var text = Core.Diagnostics.DurationText.Format(span);
        return Parsing.DurationParser.TryParse(text, out var back, out _) && back == span
            ? text
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0.###}ms");
    }

    /// <summary>How the client reads the 4 bytes: <c>--epoch auto</c> (default) picks the reading nearest the local clock.</summary>
    private enum EpochReading
    {
        Auto,
        Unix,
        Rfc868,
    }
}
