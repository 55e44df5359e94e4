using Netkit.Core.Tcp;

namespace Netkit.Tests.Tcp;

public sealed class HandOffTests
{
    [Fact]
    public async Task Items_come_out_in_order_then_null_after_complete_and_later_writes_are_refused()
    {
        var queue = new HandOff<string>();
        Assert.True(queue.TryWrite("a"));
        Assert.True(queue.TryWrite("b"));
        queue.Complete();
        Assert.False(queue.TryWrite("c"));
        Assert.Equal("a", await queue.ReadAsync(CancellationToken.None));
        Assert.Equal("b", await queue.ReadAsync(CancellationToken.None));
        Assert.Null(await queue.ReadAsync(CancellationToken.None));
        Assert.Null(await queue.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_waiting_reader_gets_an_item_written_from_another_thread()
    {
        var queue = new HandOff<string>();
        var reading = queue.ReadAsync(CancellationToken.None);
        Assert.False(reading.IsCompleted);
        await Task.Run(() => queue.TryWrite("x"));
        Assert.Equal("x", await reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_waiting_reader_gives_way_to_its_token_and_to_complete()
    {
        var queue = new HandOff<string>();
        using var stop = new CancellationTokenSource();
        var reading = queue.ReadAsync(stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        var ending = queue.ReadAsync(CancellationToken.None);
        queue.Complete();
        Assert.Null(await ending.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
