namespace Netkit.Tests.Allocations;

/// <summary>Allocation counts are process-wide: these tests run alone, with no other test allocating beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocations";
}
