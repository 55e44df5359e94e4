namespace Netkit.Core.Diagnostics;

/// <summary>What a server did, updated lock-free from every connection and receive loop.</summary>
public sealed class ServerCounters
{
    private long _accepted;
    private long _rejected;
    private long _bytesIn;
    private long _bytesOut;
    private long _requests;
    private long _replies;
    private long _dropped;
    private long _errors;

    /// <summary>TCP connections accepted and served.</summary>
    public long Accepted => Volatile.Read(ref _accepted);
    /// <summary>TCP connections closed at once because of a limit.</summary>
    public long Rejected => Volatile.Read(ref _rejected);
    /// <summary>Bytes received from peers.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);
    /// <summary>Bytes sent to peers.</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);
    /// <summary>UDP datagrams received.</summary>
    public long Requests => Volatile.Read(ref _requests);
    /// <summary>UDP replies sent.</summary>
    public long Replies => Volatile.Read(ref _replies);
    /// <summary>UDP datagrams not answered (policy or failed send).</summary>
    public long Dropped => Volatile.Read(ref _dropped);
    /// <summary>Transient socket errors survived.</summary>
    public long Errors => Volatile.Read(ref _errors);

    internal void AddAccepted() => Interlocked.Increment(ref _accepted);
    internal void AddRejected() => Interlocked.Increment(ref _rejected);
    internal void AddBytesIn(long n) => Interlocked.Add(ref _bytesIn, n);
    internal void AddBytesOut(long n) => Interlocked.Add(ref _bytesOut, n);
    internal void AddRequest() => Interlocked.Increment(ref _requests);
    internal void AddReply() => Interlocked.Increment(ref _replies);
    internal void AddDropped() => Interlocked.Increment(ref _dropped);
    internal void AddError() => Interlocked.Increment(ref _errors);
}
