using Microsoft.Extensions.Time.Testing;
using Netkit.Cli;

namespace Netkit.Tests.Cli;

public sealed class StopRequestTests
{
    [Fact]
    public void The_first_signal_stops_and_does_not_force()
    {
        var request = new StopRequest(new FakeTimeProvider());

        Assert.Equal(StopDecision.Stop, request.Receive());
        Assert.True(request.Stop.IsCancellationRequested);
        Assert.False(request.Force.IsCancellationRequested);
    }

    [Fact]
    public void Repeats_within_the_window_are_the_same_stop()
    {
        // coreutils timeout: the child, then its process group, microseconds apart.
        var time = new FakeTimeProvider();
        var request = new StopRequest(time);
        request.Receive();

        Assert.Equal(StopDecision.Repeat, request.Receive());
        time.Advance(StopRequest.RepeatWindow / 2);
        Assert.Equal(StopDecision.Repeat, request.Receive());
        time.Advance(StopRequest.RepeatWindow / 2);
        Assert.Equal(StopDecision.Repeat, request.Receive());
        Assert.False(request.Force.IsCancellationRequested);
    }

    [Fact]
    public void A_repeat_after_the_window_forces_the_stop()
    {
        var time = new FakeTimeProvider();
        var request = new StopRequest(time);
        request.Receive();
        time.Advance(StopRequest.RepeatWindow + TimeSpan.FromMilliseconds(1));

        Assert.Equal(StopDecision.Force, request.Receive());
        Assert.True(request.Force.IsCancellationRequested);
    }

    [Fact]
    public void The_window_counts_from_the_first_signal_not_the_latest()
    {
        // Signals every half window never stretch it: a person mashing Ctrl+C gets out.
        var time = new FakeTimeProvider();
        var request = new StopRequest(time);
        request.Receive();
        time.Advance(StopRequest.RepeatWindow * 0.6);
        Assert.Equal(StopDecision.Repeat, request.Receive());
        time.Advance(StopRequest.RepeatWindow * 0.6);

        Assert.Equal(StopDecision.Force, request.Receive());
    }

    [Fact]
    public void The_window_is_one_second()
        => Assert.Equal(TimeSpan.FromSeconds(1), StopRequest.RepeatWindow);
}
