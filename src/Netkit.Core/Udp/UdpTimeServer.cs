using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>
/// Answers every datagram on a bound UDP socket, empty ones included, with the 4-byte time. Each
/// receive loop is a thread that owns its buffers and sender addresses, reused for every datagram,
/// so steady-state serving allocates nothing. On 64-bit Linux a loop takes up to 64 requests per
/// recvmmsg and answers them with one sendmmsg; elsewhere (and with debug logging, which names each
/// peer) it is recvfrom then sendto. No error a peer can cause (ICMP unreachable, a reset, an
/// oversized datagram) stops a loop: it is counted and the loop goes on.
/// </summary>
public sealed class UdpTimeServer
{
    // SIO_UDP_CONNRESET: stops Windows from failing the next receive after an ICMP port unreachable.
    private const int SioUdpConnReset = unchecked((int)0x9800000C);
    private readonly Socket _socket;
    private readonly UdpTimeServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DatagramAdmission _admission;

    /// <summary>Creates a server; it owns <paramref name="socket"/> and closes it when it stops.</summary>
    public UdpTimeServer(Socket socket, UdpTimeServerOptions options, ILogger logger, TimeProvider? time = null)
    {
        _socket = socket;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        LocalEndPoint = socket.LocalEndPoint ?? new IPEndPoint(IPAddress.Any, 0);
        var limiter = options.RateLimit is { } rate ? new SourceRateLimiter(rate, options.RateBurst ?? rate, _time) : null;
        _admission = new DatagramAdmission(options.Access, options.AllowPrivilegedPorts, limiter, LocalEndPoint);

        if (OperatingSystem.IsWindows())
        {
            socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
        }
    }

    /// <summary>What the server did so far.</summary>
    public ServerCounters Counters { get; } = new();

    /// <summary>The bound address (the real port when bound to port 0).</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Serves until <paramref name="stop"/> fires (noticed within <see cref="StopLatency"/>).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        // Each loop is a thread blocked in a receive: no completion hops between threads. A receive
        // timeout lets a loop see the stop signal when no request comes.
        _socket.Blocking = true;
        _socket.ReceiveTimeout = (int)StopLatency.TotalMilliseconds;
        try
        {
            // A line per datagram (-v debug, a transcript) needs each one's sender: only the one-by-one loop has it.
            var batched = _options.Batching && LinuxMultiMessage.IsAvailable && !_logger.IsEnabled(LogLevel.Trace) && _options.Tap is null;
            if (batched)
            {
                // recvmmsg honours SO_RCVTIMEO itself; set it natively (struct timeval).
                Span<byte> timeval = stackalloc byte[16];
                BitConverter.TryWriteBytes(timeval, 0L);
                BitConverter.TryWriteBytes(timeval[8..], (long)StopLatency.TotalMicroseconds);
                _socket.SetRawSocketOption(PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoRcvTimeoLinux, timeval);
            }

            var loops = new Task[Math.Max(1, _options.ReceiveLoops)];
            for (var i = 0; i < loops.Length; i++)
            {
                loops[i] = Task.Factory.StartNew(() =>
                {
                    if (batched)
                    {
                        ServeBatched(stop);
                    }
                    else
                    {
                        Serve(stop);
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            _socket.Dispose();
        }
    }

    /// <summary>How long a stop request may wait for a loop blocked in a receive.</summary>
    public static TimeSpan StopLatency { get; } = TimeSpan.FromMilliseconds(200);

    private void Serve(CancellationToken stop)
    {
        var peer = new SocketAddress(_socket.AddressFamily);
        var request = new byte[64 * 1024];
        Span<byte> reply = stackalloc byte[TimeDatagram.Length];
        while (!stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(request, SocketFlags.None, peer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (SocketException e)
            {
                // ICMP errors, resets, oversized datagrams: counted, and the loop goes on.
                Counters.AddError();
                Log.ReceiveFailed(_logger, SocketErrors.Describe(e));
                continue;
            }

            Counters.AddRequest();
            Counters.AddBytesIn(length);
            var tap = _options.Tap;
            var peerText = tap is null ? null : Format(peer);
            tap?.Datagram(peerText!, true, request.AsSpan(0, length));
            if (_admission.Refuse(peer.Buffer.Span[..peer.Size]) is { } reason)
            {
                Counters.AddDrop(reason);
                if (_logger.IsEnabled(LogLevel.Trace))
                {
                    Log.DatagramDropped(_logger, Format(peer), length, ServerCounters.Name(reason));
                }

                continue;
            }

            var value = TimeDatagram.Encode(_time.GetUtcNow(), _options.Epoch);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(reply, value);
            try
            {
                _socket.SendTo(reply, SocketFlags.None, peer);
                tap?.Datagram(peerText!, false, reply);
                Counters.AddReply();
                Counters.AddBytesOut(TimeDatagram.Length);
            }
            catch (SocketException e)
            {
                Counters.AddDrop(DropReason.SendFailed);
                Counters.AddError();
                Log.ReceiveFailed(_logger, SocketErrors.Describe(e));
            }

            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.TimeRequest(_logger, Format(peer), length, value);
            }
        }
    }

    // Linux: up to 64 requests per recvmmsg and their replies in one sendmmsg — two system calls
    // per batch instead of two per datagram. Admission reads the senders' addresses in place.
    private unsafe void ServeBatched(CancellationToken stop)
    {
        using var buffers = new BatchBuffers();
        var handle = _socket.SafeHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            while (!stop.IsCancellationRequested)
            {
                buffers.ResetReceived();
                var received = LinuxMultiMessage.ReceiveMany(fd, buffers.Received, BatchBuffers.Count, LinuxMultiMessage.MsgWaitForOne, null);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LinuxMultiMessage.Eagain)
                    {
                        // The receive timeout passed, or the descriptor is non-blocking (systemd's
                        // NonBlocking=yes): wait for a request here rather than spin.
                        var wait = new LinuxMultiMessage.PollFd { Fd = fd, Events = LinuxMultiMessage.PollIn };
                        LinuxMultiMessage.Poll(&wait, 1, (int)StopLatency.TotalMilliseconds);
                    }
                    else if (errno != LinuxMultiMessage.Eintr)
                    {
                        Counters.AddError();
                        Log.ReceiveFailed(_logger, "recvmmsg: " + Marshal.GetPInvokeErrorMessage(errno));
                    }

                    continue;
                }

                var value = TimeDatagram.Encode(_time.GetUtcNow(), _options.Epoch);
                long bytesIn = 0;
                var replies = 0;
                for (var i = 0; i < received; i++)
                {
                    ref var request = ref buffers.Received[i];
                    bytesIn += request.Length;
                    var name = new ReadOnlySpan<byte>(request.Header.Name, (int)request.Header.NameLength);
                    if (_admission.Refuse(name) is { } reason)
                    {
                        Counters.AddDrop(reason);
                        continue;
                    }

                    ref var reply = ref buffers.Replies[replies];
                    reply.Header.Name = request.Header.Name;
                    reply.Header.NameLength = request.Header.NameLength;
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(buffers.ReplyBytes + (replies * 4), 4), value);
                    replies++;
                }

                Counters.AddRequest(received);
                Counters.AddBytesIn(bytesIn);
                var sent = 0;
                while (sent < replies)
                {
                    var n = LinuxMultiMessage.SendMany(fd, buffers.Replies + sent, (uint)(replies - sent), 0);
                    if (n >= 0)
                    {
                        sent += n;
                        Counters.AddReply(n);
                        Counters.AddBytesOut(n * TimeDatagram.Length);
                        continue;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LinuxMultiMessage.Eintr)
                    {
                        continue;
                    }

                    // This reply cannot go (its sender is unreachable, a firewall refuses it): skip it.
                    Counters.AddDrop(DropReason.SendFailed);
                    Counters.AddError();
                    sent++;
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private string Format(SocketAddress address)
    {
        var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
        return EndpointText.Format(endPoint);
    }
}
