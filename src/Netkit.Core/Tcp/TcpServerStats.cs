using Netkit.Core.Diagnostics;

namespace Netkit.Core.Tcp;

/// <summary>A TCP server's stats at one moment (see <see cref="TcpServer.Stats"/>).</summary>
/// <param name="Current">Connections served now.</param>
/// <param name="Peak">The most served at once.</param>
/// <param name="Counters">The totals: connections, rejections, bytes, drops by reason, errors.</param>
/// <param name="TopTalkers">The addresses that moved the most bytes, most first.</param>
/// <param name="ReplyTimes">How long replies took, from a chunk's arrival (the round of the event loop that read it) to its last byte taken by the kernel.</param>
public sealed record TcpServerStats(int Current, int Peak, ServerCounters Counters, IReadOnlyList<TalkerStats> TopTalkers, LatencyHistogram ReplyTimes);
