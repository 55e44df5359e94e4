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
/// A time server: answers every datagram on a bound UDP socket (empty ones included) with the 4-byte
/// time, or every SNTP request with an SNTP reply, and optionally every connection on a TCP listener
/// with the 4 bytes (RFC 868 over TCP: connect, 4 bytes, close). Each UDP receive loop is a thread
/// that owns its buffers and sender addresses, reused for every datagram, so steady-state serving
/// allocates nothing. On 64-bit Linux a loop takes up to 64 requests per recvmmsg and answers them
/// with one sendmmsg; elsewhere (and with debug logging, which names each peer) it is recvfrom then
/// sendto. No error a peer can cause (ICMP unreachable, a reset, an oversized datagram) stops a
/// loop: it is counted and the loop goes on. Both transports share the access list, the per-source
/// rate limit and the counters.
/// </summary>
public sealed class UdpTimeServer
{
    // SIO_UDP_CONNRESET: stops Windows from failing the next receive after an ICMP port unreachable.
    private const int SioUdpConnReset = unchecked((int)0x9800000C);
    private readonly Socket? _socket;
    private readonly Socket? _stream;
    private readonly UdpTimeServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DatagramAdmission _admission;
    private readonly DatagramAdmission _streamAdmission;
    private readonly SourceRateLimiter? _kissLimiter;
    private readonly TimeAnswer _answer;
    private readonly List<SourceTally> _tallies = [];

    /// <summary>Creates a UDP server; it owns <paramref name="socket"/> and closes it when it stops.</summary>
    public UdpTimeServer(Socket socket, UdpTimeServerOptions options, ILogger logger, TimeProvider? time = null)
        : this(socket, null, options, logger, time)
    {
    }

    /// <summary>Creates a server on a bound UDP socket, a listening TCP socket, or both; it owns them and closes them when it stops.</summary>
    public UdpTimeServer(Socket? datagram, Socket? stream, UdpTimeServerOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (datagram is null && stream is null)
        {
            throw new ArgumentException("a time server needs a UDP socket, a TCP listener or both");
        }

        _socket = datagram;
        _stream = stream;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _answer = new TimeAnswer(options);
        LocalEndPoint = datagram?.LocalEndPoint ?? stream?.LocalEndPoint ?? new IPEndPoint(IPAddress.Any, 0);
        var limiter = options.RateLimit is { } rate ? new SourceRateLimiter(rate, options.RateBurst ?? rate, _time) : null;
        _admission = new DatagramAdmission(options.Access, options.AllowPrivilegedPorts, limiter, LocalEndPoint)
        {
            ExemptPort = options.Protocol == TimeProtocol.Sntp ? 123 : -1,
        };
        // TCP's handshake proves the source: no reflection guard is needed, only the list and the limit.
        _streamAdmission = new DatagramAdmission(options.Access, allowPrivilegedPorts: true, limiter, local: null);
        if (limiter is not null && options.KissOfDeath && _answer.Sntp)
        {
            _kissLimiter = new SourceRateLimiter(1, 1, _time);
        }

        if (OperatingSystem.IsWindows() && datagram is not null)
        {
            datagram.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
        }
    }

    /// <summary>What the server did so far.</summary>
    public ServerCounters Counters { get; } = new();

    /// <summary>The bound address (the real port when bound to port 0).</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>The counters, the <paramref name="top"/> sources by requests, and the reply times, now.</summary>
    public UdpServerStats Stats(int top = 10)
    {
        var bySource = new Dictionary<(ulong, ulong), long>();
        var times = new LatencyHistogram();
        long others = 0;
        SourceTally[] tallies;
        lock (_tallies)
        {
            tallies = [.. _tallies];
        }

        foreach (var tally in tallies)
        {
            others += tally.AddTo(bySource, times);
        }

        var rows = new List<TalkerStats>(bySource.Count + 1);
        foreach (var (key, requests) in bySource)
        {
            rows.Add(new TalkerStats(SourceKey.ToAddress(key).ToString(), requests, 0, 0));
        }

        if (others > 0)
        {
            rows.Add(new TalkerStats(TalkerTable.Others, others, 0, 0));
        }

        rows.Sort(static (a, b) => b.Connections.CompareTo(a.Connections) is var order and not 0 ? order : string.CompareOrdinal(a.Address, b.Address));
        return new UdpServerStats(Counters, rows.Count > top ? rows[..top] : rows, times);
    }

    /// <summary>Serves until <paramref name="stop"/> fires (noticed within <see cref="StopLatency"/>).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            var loops = new List<Task>();
            if (_stream is { } listener)
            {
                var tally = NewTally();
                loops.Add(Task.Factory.StartNew(() => ServeStream(listener, tally, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }

            if (_socket is { } socket)
            {
                // Each loop is a thread blocked in a receive: no completion hops between threads. A receive
                // timeout lets a loop see the stop signal when no request comes.
                socket.Blocking = true;
                socket.ReceiveTimeout = (int)StopLatency.TotalMilliseconds;
                // A line per datagram (-v debug, a transcript) needs each one's sender: only the one-by-one loop has it.
                var batched = _options.Batching && LinuxMultiMessage.IsAvailable && !_logger.IsEnabled(LogLevel.Trace) && _options.Tap is null;
                if (batched)
                {
                    // recvmmsg honours SO_RCVTIMEO itself; set it natively (struct timeval).
                    Span<byte> timeval = stackalloc byte[16];
                    BitConverter.TryWriteBytes(timeval, 0L);
                    BitConverter.TryWriteBytes(timeval[8..], (long)StopLatency.TotalMicroseconds);
                    socket.SetRawSocketOption(PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoRcvTimeoLinux, timeval);
                }

                for (var i = 0; i < Math.Max(1, _options.ReceiveLoops); i++)
                {
                    var tally = NewTally();
                    loops.Add(Task.Factory.StartNew(() =>
                    {
                        if (batched)
                        {
                            ServeBatched(socket, tally, stop);
                        }
                        else
                        {
                            Serve(socket, tally, stop);
                        }
                    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            _socket?.Dispose();
            _stream?.Dispose();
        }
    }

    private SourceTally NewTally()
    {
        var tally = new SourceTally();
        lock (_tallies)
        {
            _tallies.Add(tally);
        }

        return tally;
    }

    /// <summary>How long a stop request may wait for a loop blocked in a receive.</summary>
    public static TimeSpan StopLatency { get; } = TimeSpan.FromMilliseconds(200);

    private void Serve(Socket socket, SourceTally tally, CancellationToken stop)
    {
        var peer = new SocketAddress(socket.AddressFamily);
        var request = new byte[64 * 1024];
        Span<byte> reply = stackalloc byte[TimeAnswer.MaxLength];
        while (!stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(request, SocketFlags.None, peer);
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

            var received = _time.GetTimestamp();
            var receivedAt = _time.GetUtcNow();
            Counters.AddRequest();
            Counters.AddBytesIn(length);
            var sockaddr = peer.Buffer.Span[..peer.Size];
            lock (tally.Gate)
            {
                tally.Count(sockaddr);
            }

            var tap = _options.Tap;
            var peerText = tap is null ? null : Format(peer);
            tap?.Datagram(peerText!, true, request.AsSpan(0, length));
            var replyLength = Compose(request.AsSpan(0, length), sockaddr, reply, receivedAt, out var reason);
            if (reason is { } dropped)
            {
                Counters.AddDrop(dropped);
                if (_logger.IsEnabled(LogLevel.Trace))
                {
                    Log.DatagramDropped(_logger, Format(peer), length, ServerCounters.Name(dropped));
                }

                if (replyLength == 0)
                {
                    continue;
                }
            }

            try
            {
                socket.SendTo(reply[..replyLength], SocketFlags.None, peer);
                tap?.Datagram(peerText!, false, reply[..replyLength]);
                if (reason is null)
                {
                    Counters.AddReply();
                    lock (tally.Gate)
                    {
                        tally.ReplyTimes.Record((long)_time.GetElapsedTime(received).TotalNanoseconds);
                    }
                }
                else
                {
                    Counters.AddKissOfDeath();
                }

                Counters.AddBytesOut(replyLength);
            }
            catch (SocketException e)
            {
                Counters.AddDrop(DropReason.SendFailed);
                Counters.AddError();
                Log.ReceiveFailed(_logger, SocketErrors.Describe(e));
            }

            if (_logger.IsEnabled(LogLevel.Trace) && reason is null)
            {
                // The seconds sent: the 4-byte count, or the SNTP transmit timestamp's (since 1900).
                Log.TimeRequest(_logger, Format(peer), length, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(_answer.Sntp ? reply[40..] : reply));
            }
        }
    }

    // The reply to one request from sockaddr: its length, and (reason) why it is not a time reply, null
    // when it is one. A refused request gets no reply (length 0), except that a rate-limited SNTP request
    // gets a Kiss-o'-Death RATE when the source has not had one within the last second.
    private int Compose(ReadOnlySpan<byte> request, ReadOnlySpan<byte> sockaddr, Span<byte> reply, DateTimeOffset received, out DropReason? reason)
    {
        reason = _admission.Refuse(sockaddr, wellFormed: !_answer.Sntp || SntpPacket.IsRequest(request));
        if (reason is not null)
        {
            return reason == DropReason.RateLimit && _kissLimiter is not null && SocketAddressParts.TryParse(sockaddr, out var sender) && _kissLimiter.TryTake(sender.Address)
                ? _answer.WriteRateKiss(request, reply)
                : 0;
        }

        return _answer.Write(request, reply, received, _answer.Sntp ? _time.GetUtcNow() : received);
    }

    // Linux: up to 64 requests per recvmmsg and their replies in one sendmmsg — two system calls
    // per batch instead of two per datagram. Admission reads the senders' addresses in place.
    private unsafe void ServeBatched(Socket socket, SourceTally tally, CancellationToken stop)
    {
        using var buffers = new BatchBuffers();
        var handle = socket.SafeHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            while (!stop.IsCancellationRequested)
            {
                buffers.ResetReceived();
                var received = LinuxMultiMessage.ReceiveMany(fd, buffers.Received, BatchBuffers.Count, LinuxMultiMessage.MsgWaitForOne | LinuxMultiMessage.MsgTrunc, null);
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

                var arrived = _time.GetTimestamp();
                var receivedAt = _time.GetUtcNow();
                long bytesIn = 0;
                var replies = 0;
                var timeReplies = 0;
                var kisses = 0;
                lock (tally.Gate)
                {
                    for (var i = 0; i < received; i++)
                    {
                        ref var request = ref buffers.Received[i];
                        bytesIn += request.Length;
                        var name = new ReadOnlySpan<byte>(request.Header.Name, (int)request.Header.NameLength);
                        tally.Count(name);
                        var content = new ReadOnlySpan<byte>(buffers.RequestBytes(i), (int)Math.Min(request.Length, BatchBuffers.RequestSize));
                        var slot = new Span<byte>(buffers.ReplyBytes + (replies * BatchBuffers.ReplySize), BatchBuffers.ReplySize);
                        var length = Compose(content, name, slot, receivedAt, out var reason);
                        if (reason is { } dropped)
                        {
                            Counters.AddDrop(dropped);
                            kisses += length > 0 ? 1 : 0;
                        }
                        else
                        {
                            timeReplies++;
                        }

                        if (length == 0)
                        {
                            continue;
                        }

                        ref var reply = ref buffers.Replies[replies];
                        reply.Header.Name = request.Header.Name;
                        reply.Header.NameLength = request.Header.NameLength;
                        reply.Header.Iov->Length = (nuint)length;
                        replies++;
                    }
                }

                Counters.AddRequest(received);
                Counters.AddBytesIn(bytesIn);
                var sent = 0;
                long bytesOut = 0;
                while (sent < replies)
                {
                    var n = LinuxMultiMessage.SendMany(fd, buffers.Replies + sent, (uint)(replies - sent), 0);
                    if (n >= 0)
                    {
                        for (var i = sent; i < sent + n; i++)
                        {
                            bytesOut += (long)buffers.Replies[i].Header.Iov->Length;
                        }

                        sent += n;
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
                    if (timeReplies > 0)
                    {
                        timeReplies--;
                    }
                    else
                    {
                        kisses--;
                    }

                    sent++;
                }

                // Kisses-o'-Death went out too, but they are not time replies.
                Counters.AddReply(timeReplies);
                Counters.AddKissOfDeath(kisses);
                Counters.AddBytesOut(bytesOut);
                if (timeReplies > 0)
                {
                    lock (tally.Gate)
                    {
                        tally.ReplyTimes.Record((long)_time.GetElapsedTime(arrived).TotalNanoseconds, timeReplies);
                    }
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

    // RFC 868 over TCP: accept, send the 4 bytes, close. A connection is one request; the access list
    // and the rate limit refuse it by closing it at once. A thread of its own, like the UDP loops: it
    // waits in poll(2) for a connection, at most StopLatency, so it sees the stop signal.
    private void ServeStream(Socket listener, SourceTally tally, CancellationToken stop)
    {
        Span<byte> reply = stackalloc byte[TimeDatagram.Length];
        Span<byte> drain = stackalloc byte[512];
        // A connection can go away between poll and accept (a reset): a blocking accept would then
        // wait for the next one and miss the stop signal.
        listener.Blocking = false;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                if (!listener.Poll(StopLatency, SelectMode.SelectRead))
                {
                    continue;
                }

                client = listener.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain or SocketError.Interrupted)
            {
                continue;
            }
            catch (SocketException e)
            {
                // Out of descriptors, a connection reset before it was taken: counted; a short pause
                // keeps a persistent failure (EMFILE) from spinning.
                Counters.AddError();
                Log.AcceptFailed(_logger, SocketErrors.Describe(e));
                stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
                continue;
            }

            using (client)
            {
                Answer(client, tally, reply, drain);
            }
        }
    }

    private void Answer(Socket client, SourceTally tally, Span<byte> reply, Span<byte> drain)
    {
        var arrived = _time.GetTimestamp();
        Counters.AddRequest();
        var peer = client.RemoteEndPoint as IPEndPoint;
        var sockaddr = peer?.Serialize();
        var name = sockaddr is null ? [] : sockaddr.Buffer.Span[..sockaddr.Size];
        lock (tally.Gate)
        {
            tally.Count(name);
        }

        var peerText = peer is null ? "?" : EndpointText.Format(peer);
        if (_streamAdmission.Refuse(name) is { } reason)
        {
            Counters.AddDrop(reason);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.DatagramDropped(_logger, peerText + " (tcp)", 0, ServerCounters.Name(reason));
            }

            return;
        }

        var value = TimeDatagram.Encode(_time.GetUtcNow(), _options.Epoch);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(reply, value);
        try
        {
            // Four bytes always fit an empty send buffer: this never blocks.
            client.Send(reply);
            client.Shutdown(SocketShutdown.Send);
            // Whatever the client sent is read first: closing on unread bytes would reset the
            // connection and could destroy the reply before the client reads it.
            while (client.Available > 0 && client.Receive(drain) > 0)
            {
            }

            _options.Tap?.Datagram(peerText, false, reply);
            Counters.AddReply();
            Counters.AddBytesOut(TimeDatagram.Length);
            lock (tally.Gate)
            {
                tally.ReplyTimes.Record((long)_time.GetElapsedTime(arrived).TotalNanoseconds);
            }

            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.TimeRequest(_logger, peerText + " (tcp)", 0, value);
            }
        }
        catch (SocketException e) when (SocketErrors.IsConnectionGone(e.SocketErrorCode))
        {
            // The client reset or left before its 4 bytes went: its doing, not a fault of ours.
            Counters.AddDrop(DropReason.SendFailed);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.DatagramDropped(_logger, peerText + " (tcp)", 0, SocketErrors.Describe(e));
            }
        }
        catch (SocketException e)
        {
            Counters.AddDrop(DropReason.SendFailed);
            Counters.AddError();
            Log.ReceiveFailed(_logger, $"{peerText} (tcp): {SocketErrors.Describe(e)}");
        }
    }

    private static string Format(SocketAddress address)
    {
        var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
        return EndpointText.Format(endPoint);
    }
}
