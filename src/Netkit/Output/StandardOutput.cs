using System.Runtime.InteropServices;
using System.Text;
using Netkit.Native;

namespace Netkit.Output;

/// <summary>
/// stdout, for protocol data and reports, where every write failure is an <see cref="OutputException"/>.
/// The runtime's console stream cannot serve: on Unix it hides EPIPE, so <c>netkit tcp-client ... | head -c 10</c>
/// would copy an endless stream into nothing forever; other errors it throws as the IOException
/// of a socket or a file. On Unix this writes fd 1 with write(2), as a C program does (a FileStream
/// would pwrite a regular file at its own offset and leave the shared one behind, so
/// <c>(netkit sockopts; echo) &gt; file</c> would overwrite its output). On Windows it is WriteFile
/// on the standard handle (<see cref="Kernel32"/>): the console stream there swallows a broken
/// pipe too. Never closes the descriptor or handle.
/// </summary>
internal sealed class StandardOutput : Stream
{
    private readonly int _fd;

    private StandardOutput(int fd)
    {
        _fd = fd;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>stdout as a stream of bytes, unbuffered.</summary>
    public static Stream Open() => new StandardOutput(1);

    /// <summary>
    /// stderr the same way, for <see cref="LineQueueWriter"/>. The runtime's console stream would
    /// do there what Console.Out does: its first write to a terminal initialises the runtime's
    /// terminal support, which writes the keypad-transmit sequence (ESC[?1h ESC=) and leaves it.
    /// </summary>
    public static Stream OpenError() => new StandardOutput(2);

    /// <summary>stdout as text (UTF-8, no BOM), buffered: the caller flushes when done.</summary>
    public static TextWriter OpenText() => new StreamWriter(Open(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (OperatingSystem.IsWindows())
        {
            WriteWindows(buffer);
            return;
        }

        while (!buffer.IsEmpty)
        {
            var written = Libc.Write(_fd, buffer, (nuint)buffer.Length);
            if (written >= 0)
            {
                buffer = buffer[(int)written..];
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.Eintr)
            {
                continue;
            }

            if (errno == Libc.Eagain)
            {
                // Someone made the shared descriptor non-blocking: wait until it takes more, as the
                // console stream does, rather than fail a write a blocking one would have made.
                var poll = new Libc.PollFd { Fd = _fd, Events = Libc.PollOut };
                _ = Libc.Poll(ref poll, 1, -1);
                continue;
            }

            throw new OutputException(Marshal.GetPInvokeErrorMessage(errno), brokenPipe: errno == Libc.Epipe);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private void WriteWindows(ReadOnlySpan<byte> buffer)
    {
        var handle = Kernel32.GetStdHandle(_fd == 1 ? Kernel32.StdOutputHandle : Kernel32.StdErrorHandle);
        while (!buffer.IsEmpty)
        {
            if (Kernel32.WriteFile(handle, buffer, buffer.Length, out var written, 0))
            {
                buffer = buffer[written..];
                continue;
            }

            // No handle at all (started detached, or with it closed) fails as ERROR_INVALID_HANDLE:
            // exit 7, like a closed fd 1 on Unix.
            var error = Marshal.GetLastPInvokeError();
            throw new OutputException(Marshal.GetPInvokeErrorMessage(error),
                brokenPipe: error is Kernel32.ErrorBrokenPipe or Kernel32.ErrorNoData or Kernel32.ErrorPipeNotConnected);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    // Written at once, like Write: the base class would queue every write to a thread-pool thread
    // (one hop per 64 KiB received, measured as tcp-client's bulk falling behind socat's).
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (OutputException e)
        {
            return ValueTask.FromException(e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
        // Unbuffered: every write has reached the descriptor.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
