using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core;
using Netkit.Core.Tcp;
using Netkit.Core.Sockets;
using Netkit.Tests.Support;

namespace Netkit.Tests.Tcp;

public sealed class TcpClientSessionTests
{
    private static readonly byte[] Banner = "220 ready\r\n"u8.ToArray();

    [Fact]
    public async Task Input_is_sent_to_its_end_after_the_server_half_closes()
    {
        var upload = new byte[8 << 20];
        new Random(8).NextBytes(upload);
        using var listener = Loopback.Listen(out var port);
        var sink = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await peer.SendAsync(Banner, SocketFlags.None);
            peer.Shutdown(SocketShutdown.Send);
            return await Loopback.ReadToEndAsync(peer);
        });

        using var socket = await Loopback.ConnectAsync(port);
        var session = new TcpClientSession(socket, null, TimeProvider.System);
        var output = new MemoryStream();
        var sent = 0;
        await session.RunAsync(new MemoryStream(upload), output, interactive: false, () => sent++, CancellationToken.None).WaitAsync(Loopback.Patience);

        var received = await sink.WaitAsync(Loopback.Patience);
        Assert.Equal(upload.Length, received.Length);
        Assert.True(upload.AsSpan().SequenceEqual(received), "the upload arrived altered");
        Assert.Equal(Banner, output.ToArray());
        Assert.Equal(1, sent);
        Assert.Equal(upload.Length, session.BytesSent);
    }

    [Fact]
    public async Task Interactive_input_stops_at_the_server_close_without_waiting_for_a_read()
    {
        using var listener = Loopback.Listen(out var port);
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await peer.SendAsync("bye"u8.ToArray(), SocketFlags.None);
            peer.Shutdown(SocketShutdown.Both);
        });

        using var socket = await Loopback.ConnectAsync(port);
        var session = new TcpClientSession(socket, null, TimeProvider.System);
        var output = new MemoryStream();
        using var terminal = new SilentTerminal();
        await session.RunAsync(terminal, output, interactive: true, null, CancellationToken.None).WaitAsync(Loopback.Patience);

        Assert.Equal("bye"u8.ToArray(), output.ToArray());
        await serving.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task A_server_gone_with_input_left_is_an_error_that_says_how_much_was_not_sent()
    {
        var upload = new byte[8 << 20];
        using var listener = Loopback.Listen(out var port);
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await peer.SendAsync("bye"u8.ToArray(), SocketFlags.None);
        }); // closed entirely: the next data that reaches it draws a reset

        using var socket = await Loopback.ConnectAsync(port);
        await serving.WaitAsync(Loopback.Patience);
        var session = new TcpClientSession(socket, null, TimeProvider.System);
        var failure = await Assert.ThrowsAsync<NetkitException>(() =>
            session.RunAsync(new MemoryStream(upload), new MemoryStream(), interactive: false, null, CancellationToken.None).WaitAsync(Loopback.Patience));

        Assert.Equal(FailureKind.Network, failure.Kind);
        Assert.Contains($"{upload.Length - session.BytesSent} of {upload.Length} bytes not sent", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_server_times_out_after_the_inactivity_limit_on_the_injected_clock()
    {
        var limit = TimeSpan.FromMinutes(1);
        using var listener = Loopback.Listen(out var port);
        var accepting = listener.AcceptAsync();
        using var socket = await Loopback.ConnectAsync(port);
        using var peer = await accepting.WaitAsync(Loopback.Patience); // reads nothing, sends nothing, stays open
        var time = new FakeTimeProvider();
        var started = time.GetUtcNow();
        var session = new TcpClientSession(socket, limit, time);
        var run = session.RunAsync("hi"u8.ToArray(), new MemoryStream(), null, CancellationToken.None);

        // The kernel has acknowledged the "hi" and the FIN (one sequence number) before the fake
        // clock runs: fake minutes pass in real milliseconds, so a late real ACK would land late.
        await Loopback.UntilAsync(() => !OperatingSystem.IsLinux() || LinuxTcpInfo.BytesMoved(socket) >= 3);

        // The fake minute passes in steps, each a poll of the bounded wait: no real minute elapses.
        await TimesOutOnTheFakeClockAsync(time, run, port);
        Assert.True(time.GetUtcNow() - started >= limit, $"timed out after {time.GetUtcNow() - started} of the fake clock");

        // Not twice the limit: the kernel is asked every quarter of it, so the last movement it saw
        // (the "hi" acknowledged) is placed at most a quarter late; the rest is the clock's steps.
        Assert.True(time.GetUtcNow() - started <= limit + (limit / 4) + TimeSpan.FromSeconds(10), $"timed out only after {time.GetUtcNow() - started} of the fake clock");
    }

    [Fact]
    public async Task Time_spent_writing_to_a_stalled_output_is_not_the_servers_silence()
    {
        var limit = TimeSpan.FromMinutes(1);
        using var listener = Loopback.Listen(out var port);
        var accepting = listener.AcceptAsync();
        using var socket = await Loopback.ConnectAsync(port);
        using var peer = await accepting.WaitAsync(Loopback.Patience);
        var time = new FakeTimeProvider();
        var session = new TcpClientSession(socket, limit, time);
        var output = new StalledOutput();
        var run = session.RunAsync("hi"u8.ToArray(), output, null, CancellationToken.None);

        await peer.SendAsync("a"u8.ToArray(), SocketFlags.None);
        await output.Writing.Task.WaitAsync(Loopback.Patience);
        time.Advance(2 * limit); // stdout (a paused pager, say) takes two minutes to accept "a"
        await peer.SendAsync("b"u8.ToArray(), SocketFlags.None);
        peer.Shutdown(SocketShutdown.Send);
        output.Release.SetResult();

        await run.WaitAsync(Loopback.Patience);
        Assert.Equal("ab"u8.ToArray(), output.ToArray());
    }

    [Fact]
    public async Task An_upload_that_keeps_flowing_is_never_cut_though_the_server_says_nothing()
    {
        var limit = TimeSpan.FromMinutes(1);
        using var listener = Loopback.Listen(out var port);
        var draining = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            var all = await Loopback.ReadToEndAsync(peer); // reads everything, answers nothing
            peer.Shutdown(SocketShutdown.Send);
            return all.Length;
        });
        using var socket = await Loopback.ConnectAsync(port);
        var time = new FakeTimeProvider();
        var session = new TcpClientSession(socket, limit, time);
        var input = new FedInput();
        var run = session.RunAsync(input, new MemoryStream(), interactive: false, null, CancellationToken.None);

        // Ten chunks, 40 fake seconds apart: 400 s without a byte back, but never 60 s without one out.
        var chunk = new byte[32 * 1024];
        for (var i = 1; i <= 10; i++)
        {
            input.Feed(chunk);
            await Loopback.UntilAsync(() => session.BytesSent == i * chunk.Length || run.IsCompleted);
            Assert.False(run.IsCompleted, $"the session ended after {i - 1} chunks: {run.Exception?.InnerException?.Message}");
            time.Advance(TimeSpan.FromSeconds(40));
        }

        input.End();
        await run.WaitAsync(Loopback.Patience);
        Assert.Equal(10 * chunk.Length, await draining.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task A_send_stuck_on_a_server_that_reads_nothing_times_out_too()
    {
        var limit = TimeSpan.FromMinutes(1);
        using var listener = Loopback.Listen(out var port);
        var accepting = listener.AcceptAsync();
        using var socket = await Loopback.ConnectAsync(port);
        using var peer = await accepting.WaitAsync(Loopback.Patience); // neither reads nor sends
        var time = new FakeTimeProvider();
        var session = new TcpClientSession(socket, limit, time);
        var run = session.RunAsync(new MemoryStream(new byte[64 << 20]), new MemoryStream(), interactive: false, null, CancellationToken.None);

        // Once the socket buffers are full nothing moves either way: the fake minute then ends it.
        await TimesOutOnTheFakeClockAsync(time, run, port);
        Assert.InRange(session.BytesSent, 1, (64 << 20) - 1);
    }

    [Fact]
    public async Task A_reset_in_chat_mode_names_the_peer_and_nothing_else()
    {
        using var listener = Loopback.Listen(out var port);
        var accepting = listener.AcceptAsync();
        using var socket = await Loopback.ConnectAsync(port);
        var session = new TcpClientSession(socket, null, TimeProvider.System); // names its peer while it still has one
        using (var peer = await accepting.WaitAsync(Loopback.Patience))
        {
            peer.LingerState = new LingerOption(true, 0); // the close is a reset
        }

        using var terminal = new SilentTerminal();

        var failure = await Assert.ThrowsAsync<NetkitException>(() =>
            session.RunAsync(terminal, new MemoryStream(), interactive: true, null, CancellationToken.None).WaitAsync(Loopback.Patience));
        Assert.Equal(FailureKind.Network, failure.Kind);
        Assert.Equal($"receive from 127.0.0.1:{port}: connection reset by peer", failure.Message);
    }

    /// <summary>Input the test hands over chunk by chunk, then ends.</summary>
    private sealed class FedInput : Stream
    {
        private readonly System.Threading.Channels.Channel<byte[]> _chunks = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();

        public void Feed(byte[] chunk) => _chunks.Writer.TryWrite(chunk);

        public void End() => _chunks.Writer.TryComplete();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            var chunk = await _chunks.Reader.ReadAsync(cancellationToken);
            chunk.CopyTo(buffer);
            return chunk.Length;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>An output whose writes wait until the test releases them.</summary>
    private sealed class StalledOutput : MemoryStream
    {
        public TaskCompletionSource Writing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writing.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            await base.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>Like a terminal nobody types into: a read never completes, and no token interrupts it.</summary>
    private sealed class SilentTerminal : Stream
    {
        private readonly TaskCompletionSource<int> _never = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(_never.Task);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // Advances the fake clock 5 s per poll until the session ends, which must be the --timeout.
    private static async Task TimesOutOnTheFakeClockAsync(FakeTimeProvider time, Task run, int port)
    {
        // After each step the session gets a moment of real time to end, so the fake clock stops
        // within a step of when the timeout fired (fake time would otherwise race on while the
        // session's continuations run), and the whole wait stays bounded.
        using var bound = new CancellationTokenSource(Loopback.Patience);
        while (!run.IsCompleted)
        {
            bound.Token.ThrowIfCancellationRequested();
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(run, Task.Delay(100, bound.Token));
        }

        var failure = await Assert.ThrowsAsync<NetkitException>(() => run);
        Assert.Equal(FailureKind.Timeout, failure.Kind);
        Assert.Equal($"127.0.0.1:{port}: nothing sent or received for 1m (--timeout)", failure.Message);
    }
}
