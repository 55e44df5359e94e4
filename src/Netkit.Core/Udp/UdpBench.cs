using System.Net;
using System.Net.Sockets;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Udp;

/// <summary>What <see cref="UdpBench"/> does.</summary>
/// <param name="Sockets">Sockets (source ports) asking at once, each its own thread.</param>
/// <param name="InFlight">Requests each socket keeps unanswered at most.</param>
/// <param name="Rate">Requests per second in all; 0 asks as fast as replies come.</param>
/// <param name="Duration">How long requests are sent; replies still owed then are waited for.</param>
/// <param name="LossTimeout">A socket whose requests see no reply for this long counts them lost and asks again.</param>
public sealed record UdpBenchOptions(int Sockets, int InFlight, double Rate, TimeSpan Duration, TimeSpan LossTimeout)
{
    /// <summary>The 4-byte count (empty requests, 4-byte replies) or SNTP (48-byte mode-3 requests, mode-4 replies).</summary>
    public TimeProtocol Protocol { get; init; }
}

/// <summary>What a <see cref="UdpBench"/> run measured.</summary>
/// <param name="Requests">Requests sent.</param>
/// <param name="Replies">Replies received (every one 4 bytes, or an SNTP mode-4 reply with a time: <see cref="BadReplies"/> are not among them).</param>
/// <param name="Lost">Requests that saw no reply within <see cref="UdpBenchOptions.LossTimeout"/>.</param>
/// <param name="Refused">Sends or receives answered by ICMP port unreachable (nothing listens).</param>
/// <param name="BadReplies">Replies that were not 4 bytes (for SNTP: not a 48-byte mode-4 reply with a time; a Kiss-o'-Death is one).</param>
/// <param name="Elapsed">From the first request to the end of the duration.</param>
/// <param name="Latency">Request to reply, in nanoseconds (each socket's replies matched to its requests in order).</param>
/// <param name="MaxOffsetSeconds">The largest difference between a reply's time (read in the era nearest the local clock) and the local clock.</param>
/// <param name="FirstBad">The first bad reply's length, or -1.</param>
public sealed record UdpBenchResult(long Requests, long Replies, long Lost, long Refused, long BadReplies, TimeSpan Elapsed, LatencyHistogram Latency, long MaxOffsetSeconds, int FirstBad)
{
    /// <summary>Replies per second.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Replies / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// A load generator for any UDP time server (netkit's, inetd's, the tutorial's): <see cref="UdpBenchOptions.Sockets"/>
/// sockets, each on a thread of its own, keeping up to <see cref="UdpBenchOptions.InFlight"/> empty
/// requests unanswered, paced to <see cref="UdpBenchOptions.Rate"/> in all or as fast as replies come.
/// Every reply is checked: 4 bytes (anything else is a bad reply); its seconds are read in the era
/// nearest the local clock and the largest offset is reported. A request with no reply within the
/// loss timeout is lost. Replies carry no request id, so latency pairs each socket's replies with
/// its requests oldest first: exact while nothing is lost, and never more than one loss timeout off.
/// </summary>
public static class UdpBench
{
    /// <summary>Runs the load against <paramref name="server"/> until the duration ends or <paramref name="stop"/> fires.</summary>
    public static async Task<UdpBenchResult> RunAsync(IPEndPoint server, SocketSettings settings, UdpBenchOptions options, TimeProvider time, CancellationToken stop)
    {
        var flows = new Flow[options.Sockets];
        for (var i = 0; i < flows.Length; i++)
        {
            flows[i] = new Flow(Open(server, settings), options, time);
        }

        var started = time.GetTimestamp();
        var deadline = started + (long)(options.Duration.TotalSeconds * time.TimestampFrequency);
        var threads = new Task[flows.Length];
        for (var i = 0; i < flows.Length; i++)
        {
            var flow = flows[i];
            var index = i;
            threads[i] = Task.Factory.StartNew(() => flow.Run(started, deadline, index, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        try
        {
            await Task.WhenAll(threads).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: what was measured so far is reported.
        }

        var end = Math.Min(time.GetTimestamp(), deadline);
        var latency = new LatencyHistogram();
        long requests = 0, replies = 0, lost = 0, refused = 0, bad = 0, offset = 0;
        var firstBad = -1;
        foreach (var flow in flows)
        {
            flow.Dispose();
            latency.Add(flow.Latency);
            requests += flow.Requests;
            replies += flow.Replies;
            lost += flow.Lost;
            refused += flow.Refused;
            bad += flow.Bad;
            offset = Math.Max(offset, flow.MaxOffset);
            if (firstBad < 0)
            {
                firstBad = flow.FirstBad;
            }
        }

        return new UdpBenchResult(requests, replies, lost, refused, bad, time.GetElapsedTime(started, end), latency, offset, firstBad);
    }

    private static Socket Open(IPEndPoint server, SocketSettings settings)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            SocketSettingsApplier.Apply(socket, settings, SocketRole.Datagram);
            socket.Connect(server);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // One socket's requests and replies, on its own thread: blocking sends and receives, a wait in
    // Poll only when paced or owed replies are late.
    private sealed class Flow(Socket socket, UdpBenchOptions options, TimeProvider time) : IDisposable
    {
        private readonly long[] _sentAt = new long[options.InFlight];
        private readonly ulong[] _sentId = new ulong[options.InFlight];
        private readonly ulong[] _lostIds = new ulong[256];
        private ulong _nextId = 1;
        private int _lostCount;
        private readonly byte[] _reply = new byte[64];
        private readonly byte[] _request = Request(options.Protocol);
        private int _oldest;
        private int _outstanding;

        public LatencyHistogram Latency { get; } = new();

        public long Requests { get; private set; }

        public long Replies { get; private set; }

        public long Lost { get; private set; }

        public long Refused { get; private set; }

        public long Bad { get; private set; }

        public long MaxOffset { get; private set; }

        public int FirstBad { get; private set; } = -1;

        public void Run(long started, long deadline, int index, CancellationToken stop)
        {
            var frequency = time.TimestampFrequency;
            var lossTicks = (long)(options.LossTimeout.TotalSeconds * frequency);

            // Paced: this socket's share of the rate, its first request staggered among the others'.
            // Unpaced: a blocking receive, which gives up after the loss timeout.
            var interval = options.Rate > 0 ? (long)(frequency * options.Sockets / options.Rate) : 0;
            if (interval == 0)
            {
                socket.ReceiveTimeout = (int)Math.Clamp(options.LossTimeout.TotalMilliseconds, 1, int.MaxValue);
            }

            var nextSend = started + (interval * index / options.Sockets);
            var lastReply = started;
            while (!stop.IsCancellationRequested)
            {
                var now = time.GetTimestamp();
                var sending = now < deadline;
                if (!sending && _outstanding == 0)
                {
                    return;
                }

                while (sending && _outstanding < _sentAt.Length && (interval == 0 || now >= nextSend))
                {
                    if (!Send(now))
                    {
                        break;
                    }

                    if (_outstanding == 1)
                    {
                        lastReply = now; // The loss clock starts with the first request owed.
                    }

                    // A paced socket that fell behind catches up at most a second's worth.
                    nextSend = interval == 0 ? now : Math.Max(nextSend + interval, now - frequency);
                }

                if (_outstanding > 0 && now - lastReply >= lossTicks)
                {
                    Skip(_outstanding); // No reply for a loss timeout: all owed are gone.
                    continue;
                }

                if (_outstanding == 0)
                {
                    // Nothing owed: wait for the next paced send (or, refused, a moment before trying again).
                    var rest = interval == 0 ? frequency / 100 : nextSend - now;
                    Idle(Math.Clamp(rest * 1_000_000 / frequency, 0, 1_000_000));
                    continue;
                }

                var until = interval > 0 && sending ? Math.Min(lastReply + lossTicks, nextSend) : lastReply + lossTicks;
                if (Receive(interval == 0, Math.Max(until - now, 0) * 1_000_000 / frequency))
                {
                    lastReply = time.GetTimestamp();
                }
            }
        }

        // Waits microseconds in poll(2) (a sleep that does not round to whole milliseconds and spin);
        // a reply that comes meanwhile is one already counted lost: read and dropped.
        private void Idle(long microseconds)
        {
            try
            {
                if (socket.Poll(WholeMilliseconds(microseconds), SelectMode.SelectRead))
                {
                    socket.ReceiveTimeout = 1;
                    Stray(socket.Receive(_reply, SocketFlags.None));
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.TimedOut or SocketError.WouldBlock)
            {
                Refused += e.SocketErrorCode == SocketError.ConnectionRefused ? 1 : 0;
            }
            finally
            {
                if (options.Rate <= 0)
                {
                    socket.ReceiveTimeout = (int)Math.Clamp(options.LossTimeout.TotalMilliseconds, 1, int.MaxValue);
                }
            }
        }

        private bool Send(long now)
        {
            try
            {
                // SNTP: each request's transmit timestamp is its number, and the reply must echo it.
                var slot = (_oldest + _outstanding) % _sentAt.Length;
                if (_request.Length > 0)
                {
                    _sentId[slot] = _nextId++;
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_request.AsSpan(40), _sentId[slot]);
                }

                socket.Send(_request, SocketFlags.None);
                _sentAt[slot] = now;
                _outstanding++;
                Requests++;
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                Refused++;
                return false;
            }
        }

        // One reply, if one comes: blocking (the socket's receive timeout bounds it), or within
        // <paramref name="microseconds"/> when paced. True when one came.
        private bool Receive(bool blocking, long microseconds)
        {
            try
            {
                if (!blocking && !socket.Poll(WholeMilliseconds(microseconds), SelectMode.SelectRead))
                {
                    return false;
                }

                var length = socket.Receive(_reply, SocketFlags.None);
                var sntp = options.Protocol == TimeProtocol.Sntp;
                var packet = default(SntpPacket);
                if (sntp && SntpPacket.TryRead(_reply.AsSpan(0, length), out packet))
                {
                    // The reply names its request: those owed before it went unanswered (lost); one
                    // naming no request owed is a duplicate or a stale reply (bad).
                    var skip = 0;
                    while (skip < _outstanding && _sentId[(_oldest + skip) % _sentAt.Length] != packet.OriginTime)
                    {
                        skip++;
                    }

                    if (skip == _outstanding)
                    {
                        Stray(length);
                        return true;
                    }

                    Skip(skip);
                }

                var latency = (long)((time.GetTimestamp() - _sentAt[_oldest]) * (1e9 / time.TimestampFrequency));
                _oldest = (_oldest + 1) % _sentAt.Length;
                _outstanding--;
                var good = sntp
                    ? length == SntpPacket.Length && packet.Mode == SntpPacket.ServerMode && packet.Version is >= 1 and <= 4 && packet.Stratum is >= 1 and <= 15
                        && packet.Leap != SntpPacket.Unsynchronized && packet.TransmitTime != 0
                    : length == TimeDatagram.Length;
                if (!good)
                {
                    Bad++;
                    FirstBad = FirstBad < 0 ? length : FirstBad;
                    return true;
                }

                // Latency is that of good replies only.
                Latency.Record(latency);
                Replies++;
                var local = time.GetUtcNow();
                var read = sntp
                    ? NtpTimestamp.Decode(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_reply.AsSpan(40)), local)
                    : TimeDatagram.DecodeNearest(TimeDatagram.Read(_reply), local).Time;
                MaxOffset = Math.Max(MaxOffset, (long)Math.Abs((read - local).TotalSeconds));
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
            {
                Refused++;
                return false;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                return false; // The receive timeout: the loop counts the loss.
            }
        }

        // The oldest requests owed, given up as lost: their numbers are kept (the last 256), so a
        // reply that comes late for one is told apart from a duplicate or a stale reply.
        private void Skip(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _lostIds[_lostCount++ % _lostIds.Length] = _sentId[(_oldest + i) % _sentAt.Length];
            }

            Lost += count;
            _oldest = (_oldest + count) % _sentAt.Length;
            _outstanding -= count;
        }

        // A reply to no request owed: late for one counted lost (already counted), or, for SNTP, a
        // duplicate or a stale reply, which is bad. The 4-byte reply names no request: late, as before.
        private void Stray(int length)
        {
            if (options.Protocol != TimeProtocol.Sntp)
            {
                return;
            }

            if (SntpPacket.TryRead(_reply.AsSpan(0, length), out var packet) && packet.OriginTime != 0
                && Array.IndexOf(_lostIds, packet.OriginTime, 0, Math.Min(_lostCount, _lostIds.Length)) >= 0)
            {
                return;
            }

            Bad++;
            FirstBad = FirstBad < 0 ? length : FirstBad;
        }

        // The request every send repeats: empty for the 4-byte count, a version-4 client packet for SNTP.
        private static byte[] Request(TimeProtocol protocol)
        {
            if (protocol != TimeProtocol.Sntp)
            {
                return [];
            }

            var request = new byte[SntpPacket.Length];
            new SntpPacket { Version = 4, Mode = SntpPacket.ClientMode, TransmitTime = 1 }.Write(request);
            return request;
        }

        // Socket.Poll waits in poll(2), whose timeout is whole milliseconds (the rest is cut): a
        // shorter wait would return at once and spin. So waits are rounded up.
        private static int WholeMilliseconds(long microseconds) => (int)Math.Min((microseconds + 999) / 1000 * 1000, int.MaxValue);

        public void Dispose() => socket.Dispose();
    }
}
