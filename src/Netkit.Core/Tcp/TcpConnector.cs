using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// Connects to a host the way users expect of a good client: every address the name resolves to is
/// tried in turn, each within the connect timeout, and the error reported is the last one seen.
/// </summary>
public static class TcpConnector
{
    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, giving each address
    /// <paramref name="connectTimeout"/> on <paramref name="time"/>'s clock (<see cref="TimeSpan.Zero"/>:
    /// no limit of ours, only the OS's); throws <see cref="NetkitException"/> on failure.
    /// </summary>
    public static async Task<Socket> ConnectAsync(
        string host, int port, AddressFamilyPreference family, SocketSettings settings,
        TimeSpan connectTimeout, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var addresses = await HostResolver.ResolveAsync(host, family, cancellationToken).ConfigureAwait(false);
        NetkitException? last = null;
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, port);
            Log.Trying(logger, endPoint);
            Socket? socket = null;
            try
            {
                socket = Create(address, endPoint);
                SocketSettingsApplier.Apply(socket, settings, SocketRole.Client);
                using var limit = new CancellationTokenSource(connectTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : connectTimeout, time);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
                try
                {
                    await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new NetkitException(FailureKind.Timeout, $"connect to {EndpointText.Format(endPoint)}: no answer within {DurationText.Format(connectTimeout)}");
                }
                catch (SocketException e)
                {
                    // Whatever the error, it is the connect that failed: never "cannot bind" (exit 6).
                    var kind = e.SocketErrorCode == SocketError.TimedOut ? FailureKind.Timeout : FailureKind.Network;
                    throw new NetkitException(kind, $"connect to {EndpointText.Format(endPoint)}: {SocketErrors.Describe(e)}", e);
                }

                return socket;
            }
            catch (NetkitException e) when (e.Kind is FailureKind.Network or FailureKind.Timeout)
            {
                socket?.Dispose();
                Log.AttemptFailed(logger, endPoint, e.Message);
                last = e;
            }
            catch
            {
                socket?.Dispose();
                throw;
            }
        }

        throw last ?? new NetkitException(FailureKind.Network, $"connect to {host}: no address");
    }

    private static Socket Create(IPAddress address, IPEndPoint endPoint)
    {
        try
        {
            return new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException e)
        {
            // e.g. IPv6 switched off on this host: the next address may still work.
            throw new NetkitException(FailureKind.Network, $"connect to {EndpointText.Format(endPoint)}: {SocketErrors.Describe(e)}", e);
        }
    }
}
