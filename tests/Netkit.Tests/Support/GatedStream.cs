using System.Text;

namespace Netkit.Tests.Support;

/// <summary>A sink that blocks every write until opened, like a pipe nobody reads.</summary>
internal sealed class GatedStream(bool open) : Stream
{
    private readonly ManualResetEventSlim _open = new(open);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MemoryStream _written = new();

    public Task Entered => _entered.Task;

    public string Text
    {
        get
        {
            lock (_written)
            {
                return Encoding.UTF8.GetString(_written.ToArray());
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Open() => _open.Set();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _entered.TrySetResult();
        _open.Wait();
        lock (_written)
        {
            _written.Write(buffer, offset, count);
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
