using Netkit.Output;
using Netkit.Tests.Support;

namespace Netkit.Tests.Output;

/// <summary>stderr's transient line (progress): erased before any other line, drawn again after it.</summary>
public sealed class TransientLineTests
{
    private const string Erase = "\r\u001b[K";

    [Fact]
    public async Task An_update_replaces_the_line_in_place_and_null_takes_it_off()
    {
        var target = new GatedStream(open: true);
        var writer = new LineQueueWriter(target);
        writer.SetTransient("1 MiB");
        await Loopback.UntilAsync(() => target.Text == "1 MiB");
        writer.SetTransient("2 MiB");
        await Loopback.UntilAsync(() => target.Text.Length > "1 MiB".Length);
        writer.SetTransient(null);

        Assert.True(writer.Drain(Loopback.Patience));
        Assert.Equal("1 MiB" + Erase + "2 MiB" + Erase, target.Text);
    }

    [Fact]
    public async Task It_is_not_drawn_after_a_prompt_only_after_the_next_whole_line()
    {
        var target = new GatedStream(open: true);
        var writer = new LineQueueWriter(target);
        writer.SetTransient("p");
        await Loopback.UntilAsync(() => target.Text == "p");

        // A prompt ends without its newline: drawn after it, the line would overwrite it.
        writer.Write("input :");
        writer.Flush();
        writer.WriteLine("answer");
        await Loopback.UntilAsync(() => target.Text.EndsWith("answer\np", StringComparison.Ordinal));
        writer.SetTransient(null);

        Assert.True(writer.Drain(Loopback.Patience));
        Assert.Equal("p" + Erase + "input :answer\np" + Erase, target.Text);
    }

    [Fact]
    public async Task Still_shown_at_the_end_it_stays_as_a_line_of_its_own()
    {
        var target = new GatedStream(open: true);
        var writer = new LineQueueWriter(target);
        writer.SetTransient("9 MiB");
        await Loopback.UntilAsync(() => target.Text == "9 MiB");

        Assert.True(writer.Drain(Loopback.Patience));
        Assert.Equal("9 MiB" + Erase + "9 MiB\n", target.Text);
    }
}
