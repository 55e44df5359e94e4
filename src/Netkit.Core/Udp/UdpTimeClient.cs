using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>
/// Asks a time server: an empty datagram (or, for SNTP, a 48-byte mode-3 request whose transmit
/// timestamp is random, so only a reply that copies it back counts: a stale or spoofed one is
/// ignored), a bounded wait, retries with growing waits. Only a reply from the very address and port
/// asked counts, and a reply that is not 4 bytes (not an SNTP packet) is a
/// <see cref="BadTimeReplyException"/>. An ICMP "port unreachable" ends the query at once as
/// "connection refused" (as rdate does): nothing listens there, and waiting out the retries would
/// only turn a clear answer into a timeout. Every wait runs on the given <see cref="TimeProvider"/>'s
/// clock, so tests can let a timeout pass without waiting for it.
/// </summary>
public static class UdpTimeClient
{
    /// <summary>Queries <paramref name="server"/>; throws <see cref="NetkitException"/> (timeout) or <see cref="BadTimeReplyException"/>.</summary>
    public static async Task<TimeReading> QueryAsync(IPEndPoint server, TimeQuery query, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        using var socket = Open(server, query.Settings);

        // Connected, so the kernel does two things an unconnected socket cannot: it drops datagrams
        // from anyone but the server (the "only the address asked" rule, enforced before they reach
        // us), and it reports the server's ICMP port-unreachable as ECONNREFUSED on the next receive
        // (an unconnected Linux socket never learns of it and waits out every retry). The source
        // check below stays for platforms that filter less.
        Connect(socket, server);
        var expected = server.Serialize();
        var from = new SocketAddress(server.AddressFamily);
        var buffer = new byte[64 * 1024];
        var request = new byte[query.Protocol == TimeProtocol.Sntp ? SntpPacket.Length : 0];
        var attempts = query.Retries + 1;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var transmit = NewRequest(request);
            var sentAt = time.GetUtcNow();
            var started = time.GetTimestamp();
            await SendRequestAsync(socket, server, request, cancellationToken).ConfigureAwait(false);
            using var limit = new CancellationTokenSource(query.WaitFor(attempt), time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
            try
            {
                while (true)
                {
                    var length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, wait.Token).ConfigureAwait(false);
                    if (!from.Equals(expected))
                    {
                        Log.StrayDatagram(logger, length, EndpointText.Format(server.Create(from)));
                        continue;
                    }

                    if (Accept(query.Protocol, server, buffer.AsSpan(0, length), transmit, sentAt, started, time, logger) is { } reading)
                    {
                        return reading;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log.NoReply(logger, new LoggedDuration(query.WaitFor(attempt)), attempt + 1, attempts);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                // ICMP port-unreachable (Windows reports it as a reset on a UDP socket): a refusal.
                throw new NetkitException(FailureKind.Network, $"receive from {EndpointText.Format(server)}: connection refused", e);
            }
            catch (SocketException e)
            {
                throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode) == FailureKind.Timeout ? FailureKind.Timeout : FailureKind.Network,
                    $"receive from {EndpointText.Format(server)}: {SocketErrors.Describe(e)}", e);
            }
        }

        var total = TimeSpan.Zero;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            total += query.WaitFor(attempt);
        }

        throw new NetkitException(FailureKind.Timeout, $"no reply from {EndpointText.Format(server)} after {attempts} attempt(s) in {DurationText.Format(total)}");
    }

    /// <summary>
    /// Asks each of <paramref name="servers"/> (the addresses a name resolves to) in turn, one wait
    /// each, the last with all the retries; the first answer wins, a bad one included. A refusal or
    /// a timeout moves on to the next address; the last address's failure is the one reported.
    /// </summary>
    public static async Task<TimeReading> QueryFirstAsync(IReadOnlyList<IPEndPoint> servers, TimeQuery query, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(servers.Count);
        for (var i = 0; i < servers.Count - 1; i++)
        {
            try
            {
                return await QueryAsync(servers[i], query with { Retries = 0 }, logger, time, cancellationToken).ConfigureAwait(false);
            }
            catch (NetkitException e) when (e.Kind is FailureKind.Timeout or FailureKind.Network)
            {
                Log.AttemptFailed(logger, servers[i], e.Message);
            }
        }

        return await QueryAsync(servers[^1], query, logger, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request to a broadcast address and collects every reply within <see cref="TimeQuery.Timeout"/>.</summary>
    public static async Task<IReadOnlyList<TimeReading>> CollectAsync(IPEndPoint target, TimeQuery query, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        using var socket = Open(target, query.Settings with { Broadcast = true });
        var from = new SocketAddress(target.AddressFamily);
        var buffer = new byte[64 * 1024];
        var readings = new List<TimeReading>();
        var request = new byte[query.Protocol == TimeProtocol.Sntp ? SntpPacket.Length : 0];
        var transmit = NewRequest(request);
        var sentAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        await SendRequestAsync(socket, target, request, cancellationToken).ConfigureAwait(false);
        using var limit = new CancellationTokenSource(query.Timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            while (true)
            {
                var length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, wait.Token).ConfigureAwait(false);
                var responder = (IPEndPoint)target.Create(from);
                if (responder.Port != target.Port || (query.Protocol == TimeProtocol.Time && length != TimeDatagram.Length))
                {
                    Log.StrayDatagram(logger, length, EndpointText.Format(responder));
                    continue;
                }

                try
                {
                    if (Accept(query.Protocol, responder, buffer.AsSpan(0, length), transmit, sentAt, started, time, logger) is { } reading)
                    {
                        readings.Add(reading);
                    }
                }
                catch (Exception e) when (e is BadTimeReplyException or KissOfDeathException or NetkitException)
                {
                    // One responder's bad answer does not spoil the others'.
                    Log.IgnoredReply(logger, EndpointText.Format(responder), e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The collection window is over.
        }

        return readings;
    }

    private static Socket Open(IPEndPoint server, SocketSettings settings)
    {
        Socket socket;
        try
        {
            socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        }
        catch (SocketException e)
        {
            throw new NetkitException(FailureKind.Network, $"socket for {EndpointText.Format(server)}: {SocketErrors.Describe(e)}", e);
        }

        try
        {
            SocketSettingsApplier.Apply(socket, settings with { ReuseAddress = settings.ReuseAddress ?? false }, SocketRole.Datagram);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Connect(Socket socket, IPEndPoint server)
    {
        try
        {
            // A UDP connect sends nothing: it fixes the peer (and picks the local address) at once.
            socket.Connect(server);
        }
        catch (SocketException e)
        {
            throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"connect to {EndpointText.Format(server)}: {SocketErrors.Describe(e)}", e);
        }
    }

    // An SNTP request: version 4, mode 3, and a random transmit timestamp (RFC 9109's advice): the
    // reply must copy it back, so a stale reply or an off-path spoofer's is told apart, and the
    // request says nothing about our clock. Returns the transmit timestamp (0 for the 4-byte request).
    private static ulong NewRequest(byte[] request)
    {
        if (request.Length == 0)
        {
            return 0;
        }

        // A version 4 GUID is 122 bits from the OS's secure random source, without the crypto library.
        Span<byte> random = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(random);
        var transmit = BitConverter.ToUInt64(random) ^ BitConverter.ToUInt64(random[8..]) | 1;
        new SntpPacket { Version = 4, Mode = SntpPacket.ClientMode, TransmitTime = transmit }.Write(request);
        return transmit;
    }

    // One datagram from the server: a reading, null to ignore it (an SNTP reply to another request),
    // or an exception (a bad reply, a Kiss-o'-Death, an unsynchronised server).
    private static TimeReading? Accept(TimeProtocol protocol, IPEndPoint server, ReadOnlySpan<byte> reply, ulong transmit, DateTimeOffset sentAt, long started, TimeProvider time, ILogger logger)
    {
        var arrived = time.GetUtcNow();
        var roundTrip = time.GetElapsedTime(started);
        if (protocol == TimeProtocol.Time)
        {
            return reply.Length == TimeDatagram.Length
                ? new TimeReading(server, TimeDatagram.Read(reply), arrived, roundTrip)
                : throw new BadTimeReplyException(reply);
        }

        var name = EndpointText.Format(server);
        if (!SntpPacket.TryRead(reply, out var packet))
        {
            throw new BadTimeReplyException(reply);
        }

        if (packet.OriginTime != transmit)
        {
            Log.IgnoredReply(logger, name, "its origin timestamp is not our request's (stale or spoofed)");
            return null;
        }

        if (packet.Mode != SntpPacket.ServerMode)
        {
            throw new NetkitException(FailureKind.Protocol, $"{name} replied in mode {packet.Mode}, not 4 (server)");
        }

        if (packet.IsKissOfDeath)
        {
            throw new KissOfDeathException(name, packet.ReferenceCode ?? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"0x{packet.ReferenceId:X8}"));
        }

        if (packet.Leap == SntpPacket.Unsynchronized || packet.Stratum > 15)
        {
            throw new NetkitException(FailureKind.Protocol, $"{name} says its clock is not synchronised (leap {packet.Leap}, stratum {packet.Stratum}): its time is not used");
        }

        if (packet.Version is < 1 or > 4)
        {
            throw new NetkitException(FailureKind.Protocol, $"{name} replied with NTP version {packet.Version}, not 1-4");
        }

        if (packet.TransmitTime == 0 || packet.ReceiveTime == 0)
        {
            throw new NetkitException(FailureKind.Protocol, $"{name} replied without a {(packet.TransmitTime == 0 ? "transmit" : "receive")} time");
        }

        // T4 from the monotonic clock: the wall clock may step between send and arrival.
        var sample = SntpSample.From(packet, sentAt, sentAt + roundTrip);
        // The server cannot have sent before it received, nor taken longer than our round trip: such
        // timestamps are not a clock reading (a tenth of a millisecond is allowed for rounding).
        var held = NtpTimestamp.Difference(packet.TransmitTime, packet.ReceiveTime);
        if (held < TimeSpan.Zero || held - roundTrip > TimeSpan.FromTicks(1000))
        {
            throw new NetkitException(FailureKind.Protocol, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{name} replied with impossible timestamps: it says it held our request {held.TotalMilliseconds:0.###} ms, in a round trip of {roundTrip.TotalMilliseconds:0.###} ms"));
        }
        return new TimeReading(server, (uint)(packet.TransmitTime >> 32), arrived, roundTrip) { Sntp = sample };
    }

    private static async Task SendRequestAsync(Socket socket, IPEndPoint server, byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            // A connected socket sends without a destination: BSD kernels (macOS) refuse sendto on
            // one with EISCONN.
            if (socket.Connected)
            {
                await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.SendToAsync(request, SocketFlags.None, server, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SocketException e)
        {
            throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"send to {EndpointText.Format(server)}: {SocketErrors.Describe(e)}", e);
        }
    }
}
