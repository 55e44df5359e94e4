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
            "or since 1900 (--epoch rfc868, what rdate speaks); --tcp: TCP connections too; --protocol sntp: SNTP instead. " +
            "Prints 'listening on ADDRESS:PORT (udp)' (and '(tcp)') on stderr; SIGINT/SIGTERM print counts and exit 0.");
        var endpoint = EndpointOptions.AddServer(command);
        var epoch = EpochOption();
        var rate = CommonOptions.OptionalCount("--rate-limit", "Replies per second per source address; the excess is dropped and counted (SNTP: told so with a Kiss-o'-Death RATE, one a second at most). [default: no limit]", 1, 10_000_000);
        var burst = CommonOptions.OptionalCount("--rate-burst", "Requests a source may send at once before --rate-limit applies. [default: the rate]", 1, 10_000_000);
        var privileged = CommonOptions.Flag("--allow-privileged-ports", "Answer source ports below 1024 too (off by default: a guard against echo/chargen reflection loops; SNTP answers port 123 regardless).");
        var statsInterval = CommonOptions.Timeout("--stats-interval", "Print a stats line (requests, replies, drops by reason, errors, bytes, reply times, top sources) this often; SIGUSR1 prints one at any time.", null);
        var protocol = ProtocolOption("time (the 4-byte count) or sntp: answer SNTP/NTP requests (mode 3, version 1-4); other datagrams are dropped.");
        var tcp = CommonOptions.Flag("--tcp", "Also serve TCP on the same port (RFC 868: 4 bytes, then close), with the same epoch, ACLs, limits and counters.");
        var noUdp = CommonOptions.Flag("--no-udp", "With --tcp: serve TCP only.");
        var stratum = CommonOptions.OptionalCount("--stratum", "SNTP: the stratum, 1-15. [default: 10, as chrony's 'local']", 1, 15);
        var refid = CommonOptions.Text("--refid", "SNTP: the reference id: at --stratum 1 the clock's name (GPS, up to 4 letters or digits), above it the upstream server's IPv4 address. [default: LOCL]", "ID");
        var unsynced = CommonOptions.Flag("--unsynchronized", "SNTP: the host clock is not synchronised: replies say so (leap 3, stratum 16) and clients ignore them.");
        foreach (var option in new Option[] { epoch.Option, protocol.Option, tcp, noUdp, stratum, refid, unsynced, rate, burst, privileged, statsInterval.Option })
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

            if (r.GetValue(noUdp) && !r.GetValue(tcp))
            {
                r.AddError("--no-udp serves TCP only: add --tcp");
            }

            if (protocol.Get(r) == TimeProtocol.Sntp)
            {
                if (r.GetValue(tcp))
                {
                    r.AddError("--tcp serves the 4-byte time (RFC 868); SNTP is UDP only");
                }

                if (r.GetResult(epoch.Option) is { Implicit: false })
                {
                    r.AddError("--epoch is the 4-byte count's; SNTP timestamps always count from 1900");
                }

                var level = r.GetValue(stratum) ?? new SntpServerSettings().Stratum;
                if (r.GetValue(refid) is { } id)
                {
                    if (ParseRefid(id) is not { } parsed)
                    {
                        r.AddError($"--refid {Netkit.Parsing.Echo.Quote(id)}: up to 4 ASCII letters or digits (GPS, LOCL) or a dotted IPv4 address");
                    }
                    else if (id != "LOCL" && IsAddress(id) == (level == 1))
                    {
                        // RFC 5905: a stratum-1 server names its clock; above, the server it follows.
                        var quoted = Netkit.Parsing.Echo.Quote(id);
                        r.AddError(level == 1
                            ? $"--refid {quoted}: at stratum 1 the reference id names the clock (GPS, PPS), not an address"
                            : r.GetValue(unsynced)
                                ? $"--refid {quoted}: an unsynchronized server (stratum 16) names no clock: give an address or LOCL"
                                : $"--refid {quoted}: a clock's name is a stratum-1 server's reference (add --stratum 1); above stratum 1 it is the upstream server's IPv4 address (LOCL also goes)");
                    }
                }

                if (r.GetValue(unsynced) && r.GetValue(stratum) is not null)
                {
                    r.AddError("--unsynchronized replies with stratum 16: not with --stratum");
                }
            }
            else
            {
                foreach (var option in new Option[] { stratum, refid, unsynced })
                {
                    if (r.GetResult(option) is { Implicit: false })
                    {
                        r.AddError($"{option.Name} is an SNTP option: add --protocol sntp");
                    }
                }
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
            var (socket, listener) = await BindAsync(request, udp: !r.GetValue(noUdp), tcp: r.GetValue(tcp), context.Stop).ConfigureAwait(false);
            var defaults = new SntpServerSettings();
            var sntp = new SntpServerSettings
            {
                Stratum = r.GetValue(stratum) ?? defaults.Stratum,
                ReferenceId = r.GetValue(refid) is { } id ? ParseRefid(id) ?? defaults.ReferenceId : defaults.ReferenceId,
                Unsynchronized = r.GetValue(unsynced),
            };
            var options = new UdpTimeServerOptions
            {
                Tap = transcript,
                Protocol = protocol.Get(r) ?? TimeProtocol.Time,
                Sntp = sntp,
                Epoch = epoch.Get(r) ?? TimeEpoch.Unix,
                Access = access.Bind(r),
                RateLimit = r.GetValue(rate),
                RateBurst = r.GetValue(burst),
                AllowPrivilegedPorts = r.GetValue(privileged),
            };
            var logger = context.Loggers.CreateLogger("udp-time-server");
            var server = new UdpTimeServer(socket, listener, options, logger);
            if (socket?.LocalEndPoint is { } udpAddress)
            {
                context.Listening(udpAddress, "udp");
            }

            if (listener?.LocalEndPoint is { } tcpAddress)
            {
                context.Listening(tcpAddress, "tcp");
            }

            void WriteStats() => StatsReport.WriteUdp(context.Status, server.Stats());
            using var statsSignal = StatsSignal.Register(WriteStats);
            // With -v detailed and no --stats-interval, a stats line every 10 seconds: the server is alive.
            if ((statsInterval.Get(r) ?? (logger.IsEnabled(LogLevel.Debug) ? TimeSpan.FromSeconds(10) : null)) is { } every)
            {
                _ = StatsSignal.EveryAsync(every, TimeProvider.System, WriteStats, context.Stop);
            }

            await server.RunAsync(context.Stop).ConfigureAwait(false);
            var stats = server.Stats();
            var c = stats.Counters;
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"summary: {c.Requests} request(s), {c.Replies} replied, {c.Dropped} dropped ({c.DescribeDrops()}), {c.Errors} error(s){StatsReport.Kisses(c)}, {StatsReport.Replies(stats.ReplyTimes)}"),
                ("requests", c.Requests), ("replied", c.Replies), ("dropped", c.Dropped), ("drops", c.DropCounts()), ("errors", c.Errors),
                ("kissOfDeath", c.KissesOfDeath), ("replyTimes", StatsReport.ReplyMicroseconds(stats.ReplyTimes)), ("topTalkers", StatsReport.Requests(stats.TopTalkers)));
            return ExitCode.Ok;
        }
    }

    /// <summary><c>--protocol time|sntp</c>, of the server and the client.</summary>
    internal static ChoiceOption<TimeProtocol> ProtocolOption(string description) => CommonOptions.Enum<TimeProtocol>("--protocol", description,
        [("time", TimeProtocol.Time), ("sntp", TimeProtocol.Sntp)]);

    private static readonly System.Buffers.SearchValues<char> RefidCharacters = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    // --refid: up to four printable ASCII characters (GPS, PPS, LOCL) or a dotted IPv4 address, as a 32-bit id.
    private static uint? ParseRefid(string text)
    {
        if (IsAddress(text))
        {
            // Four decimal parts, no leading zeros: inet_aton's forms (127.1, 010.0.0.1 as octal) are refused.
            uint id = 0;
            var parts = text.Split('.');
            if (parts.Length != 4)
            {
                return null;
            }

            foreach (var part in parts)
            {
                if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || part.AsSpan().ContainsAnyExceptInRange('0', '9')
                    || !uint.TryParse(part, CultureInfo.InvariantCulture, out var value) || value > 255)
                {
                    return null;
                }

                id = (id << 8) | value;
            }

            return id;
        }

        return text.Length is >= 1 and <= 4 && !text.AsSpan().ContainsAnyExcept(RefidCharacters) ? SntpPacket.CodeId(text) : null;
    }

    private static bool IsAddress(string refid) => refid.Contains('.', StringComparison.Ordinal);

    // The UDP socket, the TCP listener, or both on one port: with port 0, the TCP listener takes the
    // port UDP was given, and when another program holds that TCP port, both are bound again.
    private static async Task<(System.Net.Sockets.Socket? Udp, System.Net.Sockets.Socket? Tcp)> BindAsync(ListenRequest request, bool udp, bool tcp, CancellationToken stop)
    {
        if (!tcp)
        {
            return (await SocketBinder.BindUdpAsync(request, stop).ConfigureAwait(false), null);
        }

        if (!udp)
        {
            return (null, await SocketBinder.ListenTcpAsync(request, 512, stop).ConfigureAwait(false));
        }

        for (var attempt = 1; ; attempt++)
        {
            var socket = await SocketBinder.BindUdpAsync(request, stop).ConfigureAwait(false);
            try
            {
                var port = ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
                return (socket, await SocketBinder.ListenTcpAsync(request with { Port = port }, 512, stop).ConfigureAwait(false));
            }
            catch (Core.NetkitException) when (request.Port == 0 && attempt < 5)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary><c>--epoch</c> of the server: it sends unix (the tutorial) unless told rfc868.</summary>
    internal static ChoiceOption<TimeEpoch> EpochOption() => CommonOptions.Enum<TimeEpoch>("--epoch",
        "unix (seconds since 1970, the tutorial) or rfc868 (seconds since 1900, what rdate and inetd's time service speak).",
        [("unix", TimeEpoch.Unix), ("rfc868", TimeEpoch.Rfc868)]);
}
