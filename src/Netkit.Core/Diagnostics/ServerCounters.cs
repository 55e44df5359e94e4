using System.Globalization;
using System.Text;

namespace Netkit.Core.Diagnostics;

/// <summary>What a server did, updated lock-free from every connection and receive loop.</summary>
public sealed class ServerCounters
{
    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();
    private readonly long[] _drops = new long[Reasons.Length];
    private long _accepted;
    private long _bytesIn;
    private long _bytesOut;
    private long _requests;
    private long _replies;
    private long _errors;
    private long _kisses;
    private readonly LatencyHistogram _replyTimes = new();
    private readonly Lock _replyGate = new();

    /// <summary>TCP connections accepted and served.</summary>
    public long Accepted => Volatile.Read(ref _accepted);
    /// <summary>TCP connections closed at once by a policy (ACL, limits), before any byte was read.</summary>
    public long Rejected => Drops(DropReason.Acl) + Drops(DropReason.MaxConnections) + Drops(DropReason.MaxPerIp);
    /// <summary>Bytes received from peers.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);
    /// <summary>Bytes sent to peers.</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);
    /// <summary>UDP datagrams received.</summary>
    public long Requests => Volatile.Read(ref _requests);
    /// <summary>UDP replies sent.</summary>
    public long Replies => Volatile.Read(ref _replies);
    /// <summary>UDP datagrams left unanswered, all reasons together.</summary>
    public long Dropped => Requests - Replies;
    /// <summary>SNTP Kiss-o'-Death replies sent (rate-limited requests told to slow down); not counted in <see cref="Replies"/>.</summary>
    public long KissesOfDeath => Volatile.Read(ref _kisses);
    /// <summary>Transient socket errors survived.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Datagrams dropped for a reason so far, all reasons together: while requests are being
    /// answered, <see cref="Dropped"/> counts those in hand too; this never does.</summary>
    public long DroppedForAReason
    {
        get
        {
            long sum = 0;
            foreach (var reason in Reasons)
            {
                sum += Drops(reason);
            }

            return sum;
        }
    }

    /// <summary>How often <paramref name="reason"/> happened.</summary>
    public long Drops(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>The non-zero drop counts, e.g. <c>acl 3, rate-limit 120</c>, or <c>none</c>.</summary>
    public string DescribeDrops()
    {
        var text = new StringBuilder();
        foreach (var reason in Reasons)
        {
            var n = Drops(reason);
            if (n > 0)
            {
                text.Append(text.Length > 0 ? ", " : "").Append(Name(reason)).Append(' ').Append(n.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.Length > 0 ? text.ToString() : "none";
    }

    /// <summary>The non-zero drop counts by <see cref="Name"/>, for machines (<c>{"acl": 3}</c> in a JSON summary).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> DropCounts()
    {
        var counts = new List<KeyValuePair<string, long>>();
        foreach (var reason in Reasons)
        {
            if (Drops(reason) is var count and > 0)
            {
                counts.Add(KeyValuePair.Create(Name(reason), count));
            }
        }

        return counts;
    }

    /// <summary>The reason as the options spell it, e.g. <c>max-per-ip</c>.</summary>
    public static string Name(DropReason reason) => reason switch
    {
        DropReason.Acl => "acl",
        DropReason.MaxConnections => "max-connections",
        DropReason.MaxPerIp => "max-per-ip",
        DropReason.Idle => "idle-timeout",
        DropReason.FirstByte => "first-byte-timeout",
        DropReason.MaxSession => "max-session",
        DropReason.SlowReader => "send-timeout",
        DropReason.RateLimit => "rate-limit",
        DropReason.PrivilegedPort => "privileged-port",
        DropReason.OwnAddress => "own-address",
        DropReason.Malformed => "malformed",
        _ => "send-failed",
    };

    /// <summary>Counts one reply's time (ns): from its chunk's arrival to its last byte taken by the kernel. Any thread.</summary>
    internal void RecordReply(long nanoseconds)
    {
        lock (_replyGate)
        {
            _replyTimes.Record(nanoseconds);
        }
    }

    /// <summary>Adds the reply times counted here to <paramref name="into"/>.</summary>
    internal void AddReplyTimes(LatencyHistogram into)
    {
        lock (_replyGate)
        {
            into.Add(_replyTimes);
        }
    }

    internal void AddAccepted() => Interlocked.Increment(ref _accepted);
    internal void AddBytesIn(long n) => Interlocked.Add(ref _bytesIn, n);
    internal void AddBytesOut(long n) => Interlocked.Add(ref _bytesOut, n);
    internal void AddRequest(long n = 1) => Interlocked.Add(ref _requests, n);
    internal void AddReply(long n = 1) => Interlocked.Add(ref _replies, n);
    internal void AddKissOfDeath(long n = 1) => Interlocked.Add(ref _kisses, n);
    internal void AddError() => Interlocked.Increment(ref _errors);
    internal void AddDrop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);
}
