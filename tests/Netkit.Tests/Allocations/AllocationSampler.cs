using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Netkit.Tests.Allocations;

/// <summary>Samples the runtime's AllocationTick events (one per ~100 KB allocated) by type name,
/// so a failing allocation test says what was allocated.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, int> _types = new();

    public string Top(int count) => string.Join(", ", _types.OrderByDescending(p => p.Value).Take(count).Select(p => $"{p.Key} x{p.Value}"));

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.Payload is { } payload)
        {
            var index = e.PayloadNames?.IndexOf("TypeName") ?? -1;
            if (index >= 0 && payload[index] is string type)
            {
                _types.AddOrUpdate(type, 1, (_, n) => n + 1);
            }
        }
    }
}
