namespace Netkit.Core.Diagnostics;

/// <summary>
/// Latencies in nanoseconds, counted in log-linear buckets: exact below 64 ns, then 32 buckets per
/// power of two, so a percentile is within about 3 % of the true value whatever the range (a
/// microsecond or a minute), in a fixed 10 KB and with no allocation per value. One writer at a
/// time; <see cref="Add"/> merges another's counts.
/// </summary>
public sealed class LatencyHistogram
{
    private const int Linear = 64;
    private const int SubBits = 5;
    private const int Sub = 1 << SubBits;
    private const int Octaves = 58; // up to 2^63 ns

    private readonly long[] _counts = new long[Linear + (Octaves * Sub)];
    private long _min = long.MaxValue;

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The smallest value recorded (0 when none).</summary>
    public long Min => Count == 0 ? 0 : _min;

    /// <summary>The largest value recorded (0 when none).</summary>
    public long Max { get; private set; }

    /// <summary>Counts one latency of <paramref name="nanoseconds"/> (negative counts as 0).</summary>
    public void Record(long nanoseconds) => Record(nanoseconds, 1);

    /// <summary>Counts <paramref name="count"/> latencies of <paramref name="nanoseconds"/> each (the replies of one batch).</summary>
    public void Record(long nanoseconds, long count)
    {
        var value = Math.Max(0, nanoseconds);
        _counts[Index(value)] += count;
        Count += count;
        _min = Math.Min(_min, value);
        Max = Math.Max(Max, value);
    }

    /// <summary>Adds <paramref name="other"/>'s counts to these.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        _min = Math.Min(_min, other._min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value below which <paramref name="fraction"/> (0-1) of the values lie: the
    /// upper bound of that value's bucket, never more than <see cref="Max"/>; 0 when empty.</summary>
    public long Percentile(double fraction)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(fraction, 0, 1) * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(UpperBound(i), Min, Max);
            }
        }

        return Max;
    }

    private static int Index(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }

        var octave = 63 - (int)long.LeadingZeroCount(value); // >= 6
        var sub = (int)((value >> (octave - SubBits)) & (Sub - 1));
        return Linear + ((octave - 6) * Sub) + sub;
    }

    private static long UpperBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var octave = ((index - Linear) / Sub) + 6;
        var sub = (index - Linear) % Sub;
        var width = 1L << (octave - SubBits);
        return (1L << octave) + ((sub + 1) * width) - 1;
    }
}
