namespace Netkit.Core.Tcp;

/// <summary>
/// <c>--timeout</c> of a client session: fires when nothing has moved in either direction for the
/// limit. Every <see cref="Touch"/> (bytes sent or received) starts the count again; time between
/// <see cref="Pause"/> and <see cref="Resume"/> (our own write to a slow output) never counts, since
/// that is not the connection falling silent. Before firing it asks its <c>moved</c> callback whether
/// the kernel saw progress that no completed call showed (a send still draining a full buffer).
/// One timer for the whole session, rescheduled only when it comes due, on the given clock.
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
    private long _touches;
    private long _touchesChecked;
    private int _paused;
    private bool _disposed;

    public InactivityWatch(TimeSpan limit, TimeProvider time, Func<bool> moved)
    {
        _limit = limit;
        _time = time;
        _moved = moved;
        _last = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((InactivityWatch)state!).Check(), this, limit, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled once the limit passed with nothing moving.</summary>
    public CancellationToken Expired => _expired.Token;

    /// <summary>The limit, for the message that reports it.</summary>
    public TimeSpan Limit => _limit;

    /// <summary>Something moved: bytes went out or came in.</summary>
    public void Touch()
    {
        Volatile.Write(ref _last, _time.GetTimestamp());
        Interlocked.Increment(ref _touches);
    }

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

            // The kernel's counters also move for what a completed call already reported (the last
            // send being acknowledged): only with no such call since the last check do they mean a
            // send still draining. Asked every time, so that each check compares with the previous.
            var moved = _moved();
            var touched = Interlocked.Read(ref _touches) != _touchesChecked;
            if (Volatile.Read(ref _paused) > 0 || (moved && !touched))
            {
                Touch();
            }

            _touchesChecked = Interlocked.Read(ref _touches);

            var idle = _time.GetElapsedTime(Volatile.Read(ref _last));
            if (idle < _limit)
            {
                _timer.Change(_limit - idle, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        // Outside the lock: cancelling runs the session's continuations, which end by disposing this.
        _expired.Cancel();
    }
}
