using Netkit.Core.Diagnostics;

namespace Netkit.Core.Udp;

/// <summary>A time server's live stats: its counters, the sources that asked most, and how long replies took.</summary>
/// <param name="counters">Requests, replies, drops by reason, errors, bytes (both transports).</param>
/// <param name="topTalkers">The sources with the most requests, most first.</param>
/// <param name="replyTimes">From a request's arrival to its reply handed to the kernel.</param>
public sealed class UdpServerStats(ServerCounters counters, IReadOnlyList<TalkerStats> topTalkers, LatencyHistogram replyTimes)
{
    /// <summary>Requests, replies, drops by reason, errors, bytes (both transports).</summary>
    public ServerCounters Counters { get; } = counters;

    /// <summary>The sources with the most requests (UDP and TCP), most first: <see cref="TalkerStats.Connections"/> holds a source's requests.
    /// <see cref="TalkerTable.Others"/> adds up those past the table's capacity.</summary>
    public IReadOnlyList<TalkerStats> TopTalkers { get; } = topTalkers;

    /// <summary>From a request's arrival (the return of the receive that took it) to its reply handed to the kernel.</summary>
    public LatencyHistogram ReplyTimes { get; } = replyTimes;
}
