using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;
using Netkit.Core.Udp;

namespace Netkit.Core.Tcp;

/// <summary>
/// Asks a time server over TCP (RFC 868, what <c>rdate</c> does by default): connect, read the 4
/// bytes, the server closes. The whole exchange, connect included, has <see cref="TimeQuery.Timeout"/>
/// (no retries: TCP retransmits by itself). Anything but exactly 4 bytes before the close is a
/// <see cref="BadTimeReplyException"/>; a server that keeps the connection open after its 4 bytes
/// gets <see cref="CloseGrace"/> to close it, then the 4 bytes are taken.
/// </summary>
public static class TcpTimeClient
{
    /// <summary>How long a server may keep the connection open after its 4 bytes.</summary>
    public static TimeSpan CloseGrace { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Queries <paramref name="host"/>:<paramref name="port"/>; throws <see cref="NetkitException"/> or <see cref="BadTimeReplyException"/>.</summary>
    public static async Task<TimeReading> QueryAsync(string host, int port, AddressFamilyPreference family, TimeQuery query, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = query.Timeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : query.Timeout;
        using var deadline = new CancellationTokenSource(limit, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var socket = await TcpConnector.ConnectAsync(host, port, family, query.Settings, query.Timeout, logger, time, cancellationToken).ConfigureAwait(false);
        var server = (IPEndPoint)socket.RemoteEndPoint!;
        var name = EndpointText.Format(server);
        // From here to the reply: the server reads its clock when it accepts, half a round trip after
        // our handshake's last packet left, so the midpoint of this span is the moment it read it.
        var started = time.GetTimestamp();
        // The first 64 bytes are kept (for "reply error N: ..."); the rest is only counted.
        var buffer = new byte[64];
        var scratch = new byte[4096];
        var length = 0;
        TimeSpan? roundTrip = null;
        try
        {
            while (true)
            {
                using var grace = length >= TimeDatagram.Length ? new CancellationTokenSource(CloseGrace, time) : null;
                using var read = grace is null ? null : CancellationTokenSource.CreateLinkedTokenSource(wait.Token, grace.Token);
                int n;
                try
                {
                    n = await socket.ReceiveAsync(length < buffer.Length ? buffer.AsMemory(length) : scratch, SocketFlags.None, read?.Token ?? wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (grace is { IsCancellationRequested: true } && !wait.IsCancellationRequested)
                {
                    break;
                }
                catch (SocketException e) when (length == TimeDatagram.Length && SocketErrors.IsConnectionGone(e.SocketErrorCode))
                {
                    // The 4 bytes came, then a reset instead of a close: the time is here all the same.
                    break;
                }

                if (n == 0)
                {
                    break;
                }

                length += n;
                if (length == TimeDatagram.Length)
                {
                    roundTrip = time.GetElapsedTime(started);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NetkitException(FailureKind.Timeout, $"no reply from {name} (tcp) within {DurationText.Format(query.Timeout)}" +
                (length > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({length} of 4 bytes came)") : ""));
        }
        catch (SocketException e)
        {
            throw new NetkitException(SocketErrors.Classify(e.SocketErrorCode), $"receive from {name} (tcp): {SocketErrors.Describe(e)}", e);
        }

        if (length != TimeDatagram.Length)
        {
            throw new BadTimeReplyException(buffer.AsSpan(0, Math.Min(length, buffer.Length)), length);
        }

        return new TimeReading(server, TimeDatagram.Read(buffer), time.GetUtcNow(), roundTrip ?? time.GetElapsedTime(started));
    }
}
