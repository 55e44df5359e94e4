using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>
/// Answers every datagram on a bound UDP socket, empty ones included, with the 4-byte time. Each
/// receive loop owns one receive buffer, one reply buffer and one <see cref="SocketAddress"/>, reused
/// for every datagram, so steady-state serving allocates nothing. No error a peer can cause (ICMP
/// unreachable, a reset, an oversized datagram) stops a loop: it is counted and the loop goes on.
/// </summary>
public sealed class UdpTimeServer
{
    // SIO_UDP_CONNRESET: stops Windows from failing the next receive after an ICMP port unreachable.
    private const int SioUdpConnReset = unchecked((int)0x9800000C);
    private readonly Socket _socket;
    private readonly UdpTimeServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates a server; it owns <paramref name="socket"/> and closes it when it stops.</summary>
    public UdpTimeServer(Socket socket, UdpTimeServerOptions options, ILogger logger, TimeProvider? time = null)
    {
        _socket = socket;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        LocalEndPoint = socket.LocalEndPoint ?? new IPEndPoint(IPAddress.Any, 0);
        if (OperatingSystem.IsWindows())
        {
            socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
        }
    }

    /// <summary>What the server did so far.</summary>
    public ServerCounters Counters { get; } = new();

    /// <summary>The bound address (the real port when bound to port 0).</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Serves until <paramref name="stop"/> fires.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            var loops = Enumerable.Range(0, Math.Max(1, _options.ReceiveLoops)).Select(_ => Task.Run(() => ServeAsync(stop), CancellationToken.None));
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            _socket.Dispose();
        }
    }

    private async Task ServeAsync(CancellationToken stop)
    {
        var peer = new SocketAddress(_socket.AddressFamily);
        var request = GC.AllocateUninitializedArray<byte>(64 * 1024, pinned: true);
        var reply = GC.AllocateUninitializedArray<byte>(TimeDatagram.Length, pinned: true);
        while (!stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveFromAsync(request, SocketFlags.None, peer, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                Counters.AddError();
                Log.ReceiveFailed(_logger, SocketErrors.Describe(e));
                continue;
            }

            Counters.AddRequest();
            Counters.AddBytesIn(length);
            var value = TimeDatagram.Encode(_time.GetUtcNow(), _options.Epoch);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(reply, value);
            try
            {
                await _socket.SendToAsync(reply, SocketFlags.None, peer, stop).ConfigureAwait(false);
                Counters.AddReply();
                Counters.AddBytesOut(TimeDatagram.Length);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                Counters.AddDropped();
                Counters.AddError();
                Log.ReceiveFailed(_logger, SocketErrors.Describe(e));
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.TimeRequest(_logger, Format(peer), length, value);
            }
        }
    }

    private string Format(SocketAddress address)
    {
        var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
        return EndpointText.Format(endPoint);
    }
}
