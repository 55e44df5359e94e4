using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>What <see cref="TcpBench"/> does: how many connections, how long, what each sends.</summary>
/// <param name="connections">Connections opened at once and held for the whole run.</param>
/// <param name="duration">How long messages are sent; what is owed then is still read back and checked.</param>
/// <param name="size">Bytes per message.</param>
/// <param name="inFlight">Messages each connection keeps sent and not yet echoed.</param>
/// <param name="stall">A connection owed bytes that sees none for this long has stalled (an error).</param>
public sealed class TcpBenchOptions(int connections, TimeSpan duration, int size, int inFlight, TimeSpan stall)
{
    /// <summary>Connections opened at once and held for the whole run.</summary>
    public int Connections { get; } = connections;

    /// <summary>How long messages are sent.</summary>
    public TimeSpan Duration { get; } = duration;

    /// <summary>Bytes per message.</summary>
    public int Size { get; } = size;

    /// <summary>Messages each connection keeps sent and not yet echoed.</summary>
    public int InFlight { get; } = inFlight;

    /// <summary>No byte back for this long while owed: stalled.</summary>
    public TimeSpan Stall { get; } = stall;
}

/// <summary>What a <see cref="TcpBench"/> run measured.</summary>
/// <param name="connected">Connections that were opened.</param>
/// <param name="messages">Messages echoed and verified within the duration.</param>
/// <param name="verified">Messages echoed and verified in all, those owed at the end included: what
/// the server received, divided by the size.</param>
/// <param name="elapsed">The measured time: from the first message to the end of the duration.</param>
/// <param name="latency">Time from a message's send to the end of its echo, in nanoseconds.</param>
/// <param name="errors">Connections that ended in an error: refused, reset, closed early, stalled, a wrong byte.</param>
/// <param name="mismatches">Of those, connections that got a byte that was not the one sent.</param>
/// <param name="firstError">The first error, as a line ("#3: ..."), or null.</param>
public sealed class TcpBenchResult(int connected, long messages, long verified, TimeSpan elapsed, LatencyHistogram latency, int errors, int mismatches, string? firstError)
{
    /// <summary>Connections that were opened.</summary>
    public int Connected { get; } = connected;

    /// <summary>Messages echoed and verified within the duration.</summary>
    public long Messages { get; } = messages;

    /// <summary>Messages echoed and verified in all.</summary>
    public long Verified { get; } = verified;

    /// <summary>From the first message to the end of the duration.</summary>
    public TimeSpan Elapsed { get; } = elapsed;

    /// <summary>Send to end of echo, in nanoseconds.</summary>
    public LatencyHistogram Latency { get; } = latency;

    /// <summary>Connections that ended in an error.</summary>
    public int Errors { get; } = errors;

    /// <summary>Connections that got a byte that was not the one sent.</summary>
    public int Mismatches { get; } = mismatches;

    /// <summary>The first error, as a line, or null.</summary>
    public string? FirstError { get; } = firstError;

    /// <summary>Messages per second.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Messages / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// A load generator for any echo server (netkit's own, or another): <see cref="TcpBenchOptions.Connections"/>
/// connections, each keeping <see cref="TcpBenchOptions.InFlight"/> messages in flight for the
/// duration; as a message's echo completes the next is sent, the freed ones in one send. Every byte
/// that comes back is compared with what was sent (each connection sends its own slice of a
/// pseudo-random pattern), so a server that drops, reorders, duplicates or invents a byte fails
/// instead of looking fast. After the duration, what is owed is read back and checked too.
/// </summary>
public static class TcpBench
{
    private const int PatternLength = 1 << 20;

    /// <summary>Runs the load against <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static async Task<TcpBenchResult> RunAsync(
        string host, int port, AddressFamilyPreference family, SocketSettings settings, TimeSpan connectTimeout,
        TcpBenchOptions options, ILogger logger, TimeProvider time, CancellationToken stop)
    {
        var pattern = new byte[PatternLength + options.Size];
        new Random(868).NextBytes(pattern);

        // Connect first, all of them, so the measured time is messages only.
        var sockets = new Socket?[options.Connections];
        string? firstError = null;
        var errors = 0;
        async Task ConnectAsync(int i)
        {
            try
            {
                var socket = await TcpConnector.ConnectAsync(host, port, family, settings, connectTimeout, logger, time, stop).ConfigureAwait(false);
                socket.NoDelay = true;
                socket.Blocking = false;
                sockets[i] = socket;
            }
            catch (NetkitException e)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, $"#{i + 1}: {e.Message}", null);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C while connecting: what was measured (nothing yet) is still reported.
            }
        }

        // 64 handshakes at a time: a backlog is not flooded.
        for (var first = 0; first < sockets.Length && !stop.IsCancellationRequested; first += 64)
        {
            var batch = new Task[Math.Min(64, sockets.Length - first)];
            for (var j = 0; j < batch.Length; j++)
            {
                batch[j] = ConnectAsync(first + j);
            }

            await Task.WhenAll(batch).ConfigureAwait(false);
        }

        var workers = new List<Worker>();
        for (var i = 0; i < sockets.Length; i++)
        {
            if (sockets[i] is { } socket)
            {
                workers.Add(new Worker(i + 1, socket, pattern, options, time));
            }
        }

        var started = time.GetTimestamp();
        var deadline = started + (long)(options.Duration.TotalSeconds * time.TimestampFrequency);
        var runs = new Task[workers.Count];
        for (var i = 0; i < runs.Length; i++)
        {
            runs[i] = workers[i].RunAsync(deadline, stop);
        }

        await Task.WhenAll(runs).ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(started, Math.Min(time.GetTimestamp(), deadline));
        var latency = new LatencyHistogram();
        long messages = 0;
        long verified = 0;
        var mismatches = 0;
        foreach (var worker in workers)
        {
            worker.Socket.Dispose();
            latency.Add(worker.Latency);
            messages += worker.InTime;
            verified += worker.Done;
            if (worker.Error is { } error)
            {
                errors++;
                mismatches += worker.Mismatch ? 1 : 0;
                firstError ??= $"#{worker.Id}: {error}";
            }
        }

        return new TcpBenchResult(workers.Count, messages, verified, elapsed, latency, errors, mismatches, firstError);
    }

    private sealed class Worker(int id, Socket socket, byte[] pattern, TcpBenchOptions options, TimeProvider time)
    {
        private readonly byte[] _send = new byte[options.Size * options.InFlight];
        private readonly byte[] _receive = new byte[Math.Max(options.Size * options.InFlight, 16 * 1024)];
        private readonly long[] _sentAt = new long[options.InFlight];
        private readonly int _start = (int)((uint)(id * 2654435761u) % PatternLength);
        private long _sent;
        private long _done;
        private int _verified;

        public int Id { get; } = id;

        public Socket Socket { get; } = socket;

        public LatencyHistogram Latency { get; } = new();

        /// <summary>Messages completed before the deadline.</summary>
        public long InTime { get; private set; }

        public string? Error { get; private set; }

        /// <summary>Messages echoed and verified in all.</summary>
        public long Done => _done;

        public bool Mismatch { get; private set; }

        public async Task RunAsync(long deadline, CancellationToken stop)
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(stop);
            try
            {
                while (true)
                {
                    var now = time.GetTimestamp();
                    var length = 0;
                    while (now < deadline && _sent - _done < options.InFlight)
                    {
                        Message(_sent).CopyTo(_send.AsSpan(length));
                        _sentAt[_sent % options.InFlight] = now;
                        _sent++;
                        length += options.Size;
                    }

                    if (length > 0)
                    {
                        // Small batches go at once; only a full socket buffer costs an async send.
                        var sent = Socket.Send(_send.AsSpan(0, length), SocketFlags.None, out var error);
                        if (error is not (SocketError.Success or SocketError.WouldBlock))
                        {
                            throw new SocketException((int)error);
                        }

                        if (sent < length)
                        {
                            stall.CancelAfter(options.Stall);
                            try
                            {
                                await Socket.SendAsync(_send.AsMemory(Math.Max(sent, 0), length - Math.Max(sent, 0)), SocketFlags.None, stall.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                            {
                                Error = $"stalled: the server took nothing for {DurationText.Format(options.Stall)} with {Owed()} bytes owed";
                                return;
                            }
                        }
                    }

                    if (_done == _sent)
                    {
                        Socket.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    // After the duration, what is owed has --timeout in all to come back (a server that
                    // trickles it a byte at a time does not keep the run going for hours).
                    var wait = options.Stall;
                    if (now >= deadline)
                    {
                        wait = TimeSpan.FromTicks(Math.Min(wait.Ticks, Math.Max(0, (deadline - now + (long)(options.Stall.TotalSeconds * time.TimestampFrequency)) * TimeSpan.TicksPerSecond / time.TimestampFrequency)));
                    }

                    stall.CancelAfter(wait);
                    int received;
                    try
                    {
                        received = await Socket.ReceiveAsync(_receive, SocketFlags.None, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        Error = $"stalled: nothing came back for {DurationText.Format(options.Stall)} with {Owed()} bytes owed";
                        return;
                    }

                    if (received == 0)
                    {
                        Error = $"the server closed the connection with {Owed()} bytes owed";
                        return;
                    }

                    if (!Verify(_receive.AsSpan(0, received), deadline))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped (Ctrl+C): what was measured so far stands.
            }
            catch (SocketException e)
            {
                Error = SocketErrors.Describe(e);
            }
        }

        private long Owed() => ((_sent - _done) * options.Size) - _verified;

        private ReadOnlySpan<byte> Message(long index) =>
            pattern.AsSpan((int)((_start + (index * options.Size)) % PatternLength), options.Size);

        private bool Verify(ReadOnlySpan<byte> data, long deadline)
        {
            while (!data.IsEmpty)
            {
                if (_done == _sent)
                {
                    Mismatch = true;
                    Error = $"{data.Length} byte(s) more than were sent";
                    return false;
                }

                var expected = Message(_done)[_verified..];
                var take = Math.Min(expected.Length, data.Length);
                if (!data[..take].SequenceEqual(expected[..take]))
                {
                    var at = data[..take].CommonPrefixLength(expected[..take]);
                    Mismatch = true;
                    Error = $"wrong byte {(_done * options.Size) + _verified + at} of the echo: not what was sent";
                    return false;
                }

                data = data[take..];
                _verified += take;
                if (_verified == options.Size)
                {
                    var now = time.GetTimestamp();
                    Latency.Record((long)(time.GetElapsedTime(_sentAt[_done % options.InFlight], now).Ticks * 100));
                    if (now <= deadline)
                    {
                        InTime++;
                    }

                    _done++;
                    _verified = 0;
                }
            }

            return true;
        }
    }
}
