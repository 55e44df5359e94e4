using Microsoft.Extensions.Time.Testing;
using Netkit.Output;
using Netkit.Tests.Support;

namespace Netkit.Tests.Output;

public sealed class TransferProgressTests
{
    private const string Erase = "\r\u001b[K";

    [Fact]
    public void Each_direction_has_its_own_rate()
    {
        Assert.Equal("12.0 MiB sent (4.0 MiB/s), 3.0 MiB received (1.0 MiB/s)",
            TransferProgress.Format(12L << 20, 3L << 20, TimeSpan.FromSeconds(3)));
        Assert.Equal("0 B sent (0 B/s), 512 B received (256 B/s)",
            TransferProgress.Format(0, 512, TimeSpan.FromSeconds(2)));
        Assert.Equal("1.50 GiB sent (768.0 MiB/s), 2.0 KiB received (1.0 KiB/s)",
            TransferProgress.Format(3L << 29, 2048, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Nothing_shows_below_the_threshold_then_the_line_shows_alone()
    {
        var (progress, target, writer, time, counts) = Start();
        await using (progress)
        {
            counts.Sent = 1000;
            for (var i = 0; i < 5; i++)
            {
                time.Advance(TransferProgress.Interval);
                await Task.Yield();
            }

            counts.Sent = 2L << 20;
            counts.Received = 1L << 20;
            await UntilShownAsync(target, time);

            // The first thing on the terminal is the progress line itself, no newline after it.
            Assert.Matches(@"^2\.0 MiB sent \([^)]+/s\), 1\.0 MiB received \([^)]+/s\)$", target.Text);
        }

        Assert.True(writer.Drain(Loopback.Patience));
    }

    [Fact]
    public async Task A_line_written_while_the_progress_shows_erases_it_first_and_the_progress_is_drawn_again_below()
    {
        var (progress, target, writer, time, counts) = Start();
        await using (progress)
        {
            counts.Sent = 3L << 20;
            var shown = await UntilShownAsync(target, time);

            writer.WriteLine("sending completed.");
            await Loopback.UntilAsync(() => target.Text.Length > shown.Length * 2);
            Assert.Equal(shown + Erase + "sending completed.\n" + shown, target.Text);
        }

        // Done: the last figures (unchanged here: no time passed) replace the line, as a line.
        Assert.True(writer.Drain(Loopback.Patience));
        var line = target.Text[..target.Text.IndexOf(Erase, StringComparison.Ordinal)];
        Assert.Equal(line + Erase + "sending completed.\n" + line + Erase + line + "\n", target.Text);
    }

    [Fact]
    public async Task A_transfer_that_never_showed_progress_writes_nothing()
    {
        var (progress, target, writer, time, _) = Start();
        await using (progress)
        {
            time.Advance(TransferProgress.Interval);
        }

        Assert.True(writer.Drain(Loopback.Patience));
        Assert.Equal(string.Empty, target.Text);
    }

    private static (TransferProgress Progress, GatedStream Target, LineQueueWriter Writer, FakeTimeProvider Time, Counts Counts) Start()
    {
        var target = new GatedStream(open: true);
        var writer = new LineQueueWriter(target);
        var time = new FakeTimeProvider();
        var counts = new Counts();
        return (new TransferProgress(() => counts.Sent, () => counts.Received, writer, time), target, writer, time, counts);
    }

    // The progress's timer is armed again after each tick, so time moves on until the line is there.
    private static async Task<string> UntilShownAsync(GatedStream target, FakeTimeProvider time)
    {
        await Loopback.UntilAsync(() =>
        {
            if (target.Text.Length > 0)
            {
                return true;
            }

            time.Advance(TransferProgress.Interval);
            return false;
        });
        return target.Text;
    }

    private sealed class Counts
    {
        public long Sent { get; set; }

        public long Received { get; set; }
    }
}
