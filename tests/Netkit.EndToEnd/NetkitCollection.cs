namespace Netkit.EndToEnd;

/// <summary>
/// One collection for every end-to-end test: they share the published binary and run one after
/// another, so timing-sensitive checks (timeouts, signals) do not compete for the CPU.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NetkitCollection : ICollectionFixture<NetkitBinary>
{
    public const string Name = "netkit";
}
