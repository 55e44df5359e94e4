namespace Netkit.Core.Policy;

/// <summary>What the access list says of an address, and which rule said it (null: the default).</summary>
/// <param name="Allowed">True when the peer may talk to us.</param>
/// <param name="Rule">The deciding rule, or null when no rule matched.</param>
public readonly record struct AccessDecision(bool Allowed, AccessRule? Rule)
{
    /// <summary>The verdict and the rule that decides it, in words: <c>denied by --deny 10.0.0.0/8</c>,
    /// <c>allowed by --allow 10.0.0.0/8</c>, <c>denied: no --allow matched</c>,
    /// <c>allowed: no --allow given, no --deny matched</c>.</summary>
    public string Reason => Rule switch
    {
        { Allow: false } => "denied by " + Rule,
        { Allow: true } => "allowed by " + Rule,
        null when Allowed => "allowed: no --allow given, no --deny matched",
        null => "denied: no --allow matched",
    };
}
