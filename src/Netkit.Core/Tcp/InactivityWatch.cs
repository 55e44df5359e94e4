namespace Netkit.Core.Tcp;

/// <summary>
/// <c>--timeout</c> of a client session: fires when nothing has moved in either direction for the
/// limit. Every <see cref="Touch"/> (bytes sent or received) starts the count again; time between
/// <see cref="Pause"/> and <see cref="Resume"/> (our own write to a slow output) never counts, since
/// that is not the connection falling silent. Every quarter of the limit it asks its <c>moved</c>
/// callback whether the kernel saw bytes acknowledged or received since the last look, progress no
/// completed call shows (a send still draining a full buffer, or a buffered upload after "sending
/// completed."), and counts that as movement then; so it fires between the limit and 1.25 times it
/// after the last movement. One timer for the whole session, on the given clock.
/// </summary>
internal sealed class InactivityWatch : IDisposable
{
    private readonly TimeSpan _limit;
    private readonly TimeProvider _time;
    private readonly Func<bool> _moved;
    // Never disposed: it has no timer and no parent tokens, the only things Dispose releases, and
    // disposing it could race a Cancel the timer callback is making.
    private readonly CancellationTokenSource _expired = new();
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private long _last;
    private int _paused;
    private bool _disposed;

    public InactivityWatch(TimeSpan limit, TimeProvider time, Func<bool> moved)
    {
        _limit = limit;
        _time = time;
        _moved = moved;
        _last = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((InactivityWatch)state!).Check(), this, Look, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled once the limit passed with nothing moving.</summary>
    public CancellationToken Expired => _expired.Token;

    /// <summary>The limit, for the message that reports it.</summary>
    public TimeSpan Limit => _limit;

    /// <summary>Something moved: bytes went out or came in.</summary>
    public void Touch() => Volatile.Write(ref _last, _time.GetTimestamp());

    // How often the kernel's counters are read: a quarter of the limit, at least every 10 ms.
    private TimeSpan Look => TimeSpan.FromTicks(Math.Max(_limit.Ticks / 4, TimeSpan.TicksPerMillisecond * 10));

    /// <summary>From now on the time does not count (until <see cref="Resume"/>).</summary>
    public void Pause() => Interlocked.Increment(ref _paused);

    /// <summary>The time counts again, from now.</summary>
    public void Resume()
    {
        Touch();
        Interlocked.Decrement(ref _paused);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }

    private void Check()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_moved() || Volatile.Read(ref _paused) > 0)
            {
                Touch();
            }

            var idle = _time.GetElapsedTime(Volatile.Read(ref _last));
            if (idle < _limit)
            {
                _timer.Change(_limit - idle < Look ? _limit - idle : Look, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        // Outside the lock: cancelling runs the session's continuations, which end by disposing this.
        _expired.Cancel();
    }
}
