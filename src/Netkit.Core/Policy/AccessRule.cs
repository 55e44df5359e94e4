namespace Netkit.Core.Policy;

/// <summary>One <c>--allow</c> or <c>--deny</c> rule.</summary>
/// <param name="Allow">True for <c>--allow</c>.</param>
/// <param name="Block">The addresses it covers.</param>
public sealed record AccessRule(bool Allow, Cidr Block)
{
    /// <inheritdoc/>
    public override string ToString() => (Allow ? "--allow " : "--deny ") + Block.Text;
}
