using System.Runtime.InteropServices;

namespace Netkit.Core.Policy;

/// <summary>
/// A token bucket per source address: each source may send <c>rate</c> requests per second on
/// average and <c>burst</c> at once. Looking a source up allocates nothing; a new source adds one
/// table entry, and the table is swept of sources quiet for a minute when it grows past its cap,
/// so a flood of spoofed sources costs bounded memory.
/// </summary>
public sealed class SourceRateLimiter
{
    private const int Cap = 65_536;
    private readonly Dictionary<(ulong, ulong), Bucket> _buckets = new();
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    /// <summary>Allows <paramref name="rate"/> per second per source, bursts of <paramref name="burst"/>.</summary>
    public SourceRateLimiter(double rate, double burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        _rate = rate;
        _burst = Math.Max(1, burst);
        _time = time;
    }

    /// <summary>Sources being tracked.</summary>
    public int Tracked
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Takes a token for the source (4 or 16 address bytes); false when it has none left.</summary>
    public bool TryTake(ReadOnlySpan<byte> address)
    {
        var key = SourceKey.From(address);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            ref var bucket = ref CollectionsMarshal.GetValueRefOrAddDefault(_buckets, key, out var existed);
            if (!existed)
            {
                bucket = new Bucket(_burst, now);
                if (_buckets.Count > Cap)
                {
                    Sweep(now);
                    bucket = ref CollectionsMarshal.GetValueRefOrAddDefault(_buckets, key, out _);
                    bucket = new Bucket(_burst, now);
                }
            }
            else
            {
                var elapsed = _time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
                bucket.Tokens = Math.Min(_burst, bucket.Tokens + (elapsed * _rate));
                bucket.Updated = now;
            }

            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private void Sweep(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (_time.GetElapsedTime(bucket.Updated, now) > TimeSpan.FromMinutes(1))
            {
                _buckets.Remove(key);
            }
        }

        if (_buckets.Count > Cap)
        {
            // Every source is recent: a spoofing flood. Forget them all rather than grow.
            _buckets.Clear();
        }
    }

    private struct Bucket(double tokens, long updated)
    {
        public double Tokens = tokens;
        public long Updated = updated;
    }
}
