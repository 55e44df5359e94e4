using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>
/// Asks a time server: an empty datagram, a bounded wait, retries with growing waits. Only a reply
/// from the very address and port asked counts, and a reply that is not 4 bytes is a
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
        var attempts = query.Retries + 1;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var started = time.GetTimestamp();
            await SendRequestAsync(socket, server, cancellationToken).ConfigureAwait(false);
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

                    if (length != TimeDatagram.Length)
                    {
                        throw new BadTimeReplyException(buffer.AsSpan(0, length));
                    }

                    return new TimeReading(server, TimeDatagram.Read(buffer), time.GetUtcNow(), time.GetElapsedTime(started));
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
        var started = time.GetTimestamp();
        await SendRequestAsync(socket, target, cancellationToken).ConfigureAwait(false);
        using var limit = new CancellationTokenSource(query.Timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            while (true)
            {
                var length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, wait.Token).ConfigureAwait(false);
                var responder = (IPEndPoint)target.Create(from);
                if (length != TimeDatagram.Length || responder.Port != target.Port)
                {
                    Log.StrayDatagram(logger, length, EndpointText.Format(responder));
                    continue;
                }

                readings.Add(new TimeReading(responder, TimeDatagram.Read(buffer), time.GetUtcNow(), time.GetElapsedTime(started)));
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

    private static async Task SendRequestAsync(Socket socket, IPEndPoint server, CancellationToken cancellationToken)
    {
        try
        {
            // A connected socket sends without a destination: BSD kernels (macOS) refuse sendto on
            // one with EISCONN.
            if (socket.Connected)
            {
                await socket.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.SendToAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, server, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SocketException e)
        {
            throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"send to {EndpointText.Format(server)}: {SocketErrors.Describe(e)}", e);
        }
    }
}
