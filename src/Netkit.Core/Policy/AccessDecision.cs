namespace Netkit.Core.Policy;

/// <summary>What the access list says of an address, and which rule said it (null: the default).</summary>
/// <param name="Allowed">True when the peer may talk to us.</param>
/// <param name="Rule">The deciding rule, or null when no rule matched.</param>
public readonly record struct AccessDecision(bool Allowed, AccessRule? Rule)
{
    /// <summary>Why, in words: <c>matched --deny 10.0.0.0/8</c>, <c>not in any --allow</c>, <c>no rules</c>.</summary>
    public string Reason => Rule is not null ? "matched " + Rule : Allowed ? "no rules" : "not in any --allow";
}
