using System.Runtime.InteropServices;
using Netkit.Native;

namespace Netkit.Operator;

/// <summary>
/// stdin, a terminal, as bytes read from fd 0 with read(2) (Unix). The runtime's console stream on a
/// terminal reads through System.Console's line reader: it initialises the runtime's terminal support,
/// which writes the keypad-transmit sequence (<c>ESC[?1h ESC=</c>) and never takes it back, and it
/// turns the terminal's echo off to echo itself. Here the terminal stays as the user set it: its line
/// discipline echoes and edits, and a read returns a line when Enter is pressed. A read waits in
/// poll(2), a quarter of a second at a time, so a cancellation ends it. Never closes fd 0.
/// </summary>
internal sealed class TerminalStream : Stream
{
    private const int StdinFd = 0;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private TerminalStream()
    {
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>stdin as this stream on Unix; the runtime's own elsewhere (Windows has no such modes).</summary>
    public static Stream Open() => OperatingSystem.IsWindows() ? Console.OpenStandardInput() : new TerminalStream();

    /// <summary>
    /// Reads what fd 0 has (at most <paramref name="buffer"/>'s length): 0 at the end of input or when
    /// the terminal is gone (EIO after a hangup, EBADF). Throws <see cref="OperationCanceledException"/>
    /// once <paramref name="stop"/> fires, within a quarter of a second, and reads nothing after it.
    /// </summary>
    public static int Read(Span<byte> buffer, CancellationToken stop)
    {
        while (true)
        {
            var wait = new Libc.PollFd { Fd = StdinFd, Events = Libc.PollIn };
            var ready = Libc.Poll(ref wait, 1, (int)Tick.TotalMilliseconds);
            stop.ThrowIfCancellationRequested();
            if (ready == 0 || (ready < 0 && Marshal.GetLastPInvokeError() == Libc.Eintr))
            {
                continue;
            }

            var read = ready < 0 ? -1 : (int)Libc.Read(StdinFd, buffer, (nuint)buffer.Length);
            if (read < 0 && Marshal.GetLastPInvokeError() == Libc.Eintr)
            {
                continue;
            }

            return Math.Max(read, 0);
        }
    }

    public override int Read(Span<byte> buffer) => Read(buffer, CancellationToken.None);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count), CancellationToken.None);

    // A thread of its own per read: a person types slowly, and the thread pool must not wait with them.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => new(Task.Factory.StartNew(() => Read(buffer.Span, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
