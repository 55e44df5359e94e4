using Netkit.Core.Diagnostics;

namespace Netkit.Core.Policy;

/// <summary>Why a peer was turned away: the counter it goes to and one line for the log.</summary>
/// <param name="Reason">The drop counter.</param>
/// <param name="Why">e.g. <c>--max-per-ip 2 reached for 127.0.0.1</c>.</param>
internal readonly record struct Refusal(DropReason Reason, string Why);
