using System.Threading.Tasks.Sources;

namespace Netkit.Core.Tcp;

/// <summary>
/// A connection's place in the <see cref="WordRequests"/> queue, reused for every chunk it waits on
/// (one per connection, so waiting allocates nothing). It is also the queue's link: only
/// <see cref="WordRequests"/> touches <see cref="Previous"/>, <see cref="Next"/> and
/// <see cref="Queued"/>, under its lock, and whoever takes a ticket out of the queue completes it —
/// exactly once per wait.
/// </summary>
internal sealed class WordTicket(int id) : IValueTaskSource<ReadOnlyMemory<byte>?>
{
    // Continuations run on the thread pool: the operator's thread that hands over a word must never
    // end up sending it (a slow client would stall the console), and a socket completion must never
    // run console code.
    private ManualResetValueTaskSourceCore<ReadOnlyMemory<byte>?> _core = new() { RunContinuationsAsynchronously = true };

    public int Id { get; } = id;

    public WordTicket? Previous { get; set; }

    public WordTicket? Next { get; set; }

    public bool Queued { get; set; }

    /// <summary>Starts a new wait; returns the task the connection awaits.</summary>
    public ValueTask<ReadOnlyMemory<byte>?> Begin()
    {
        _core.Reset();
        return new ValueTask<ReadOnlyMemory<byte>?>(this, _core.Version);
    }

    /// <summary>Ends the wait with a word, or with null when no word will come.</summary>
    public void Complete(ReadOnlyMemory<byte>? word) => _core.SetResult(word);

    public ReadOnlyMemory<byte>? GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
