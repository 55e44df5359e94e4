using System.Text;
using Netkit.Output;
using Netkit.Tests.Support;

namespace Netkit.Tests.Output;

public sealed class LineQueueWriterTests
{
    [Fact]
    public void Lines_arrive_whole_and_in_order()
    {
        var target = new GatedStream(open: true);
        var writer = new LineQueueWriter(target);
        writer.Write("a");
        writer.Write("b\nc");
        writer.WriteLine("d");
        writer.Write('e');
        writer.Flush();

        Assert.True(writer.Drain(Loopback.Patience));
        Assert.Equal("ab\ncd\ne", target.Text);
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task A_stalled_target_never_blocks_the_writer_and_lines_past_the_bound_are_dropped_and_counted()
    {
        var target = new GatedStream(open: false);
        var writer = new LineQueueWriter(target, capacity: 100);

        // The background thread takes the first line and is stuck writing it: the queue is empty.
        writer.WriteLine("first");
        await target.Entered.WaitAsync(Loopback.Patience);

        // Ten 10-character lines fill the 100 characters; five more find no room. Bounded, so a
        // writer that blocked would fail the test instead of hanging it.
        await Task.Run(() =>
        {
            for (var i = 0; i < 15; i++)
            {
                writer.WriteLine($"line {i:D4}");
            }

            // The summary may pass the bound.
            LineQueueWriter.WriteLineKept(writer, "summary");
        }).WaitAsync(Loopback.Patience);

        Assert.Equal(5, writer.Dropped);
        target.Open();
        Assert.True(writer.Drain(Loopback.Patience));
        var expected = new StringBuilder("first\n");
        for (var i = 0; i < 10; i++)
        {
            expected.Append(System.Globalization.CultureInfo.InvariantCulture, $"line {i:D4}\n");
        }

        Assert.Equal(expected.Append("summary\n").ToString(), target.Text);
    }

    [Fact]
    public async Task Drain_gives_up_when_the_target_never_takes_the_lines()
    {
        var target = new GatedStream(open: false);
        var writer = new LineQueueWriter(target);
        writer.WriteLine("stuck");
        await target.Entered.WaitAsync(Loopback.Patience);

        Assert.False(writer.Drain(TimeSpan.FromMilliseconds(50)));
        target.Open();
    }

    [Fact]
    public void Lines_the_target_refuses_are_counted_as_dropped()
    {
        var writer = new LineQueueWriter(new FullStream());
        writer.WriteLine("one");
        writer.WriteLine("two");
        writer.WriteLine("three");

        Assert.True(writer.Drain(Loopback.Patience));
        Assert.Equal(3, writer.Dropped);
    }

    [Fact]
    public void Lines_after_the_drain_are_dropped()
    {
        var writer = new LineQueueWriter(new GatedStream(open: true));
        Assert.True(writer.Drain(Loopback.Patience));
        writer.WriteLine("late");

        Assert.Equal(1, writer.Dropped);
    }

    /// <summary>A sink that refuses every write, like stderr on /dev/full.</summary>
    private sealed class FullStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
