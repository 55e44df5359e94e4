namespace Netkit.Core.Tcp;

/// <summary>
/// An unbounded queue from any thread to one reader that awaits: the console's typed lines and the
/// connections that start waiting for a word. A few lines of its own instead of
/// System.Threading.Channels, whose code (about 23 KB of the binary) netkit needs nothing else of.
/// Items come out in the order they went in; after <see cref="Complete"/> the reader gets what was
/// queued, then null; writes after it are refused.
/// </summary>
/// <typeparam name="T">A reference type: null is the end.</typeparam>
public sealed class HandOff<T>
    where T : class
{
    private readonly Queue<T> _items = new();
    private readonly SemaphoreSlim _signal = new(0);
    private bool _completed;

    /// <summary>Queues <paramref name="item"/>; false once completed.</summary>
    public bool TryWrite(T item)
    {
        lock (_items)
        {
            if (_completed)
            {
                return false;
            }

            _items.Enqueue(item);
        }

        _signal.Release();
        return true;
    }

    /// <summary>No more items: the reader gets what is queued, then null.</summary>
    public void Complete()
    {
        lock (_items)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
        }

        _signal.Release();
    }

    /// <summary>The next item, or null at the end; throws <see cref="OperationCanceledException"/> when <paramref name="stop"/> fires.</summary>
    public async Task<T?> ReadAsync(CancellationToken stop)
    {
        while (true)
        {
            lock (_items)
            {
                if (_items.TryDequeue(out var item))
                {
                    return item;
                }

                if (_completed)
                {
                    return null;
                }
            }

            await _signal.WaitAsync(stop).ConfigureAwait(false);
        }
    }
}
