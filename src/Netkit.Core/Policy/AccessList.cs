using System.Net;

namespace Netkit.Core.Policy;

/// <summary>
/// <c>--allow</c> / <c>--deny</c>: a <c>--deny</c> that matches always wins; otherwise, when any
/// <c>--allow</c> is given, the address must match one; with no rules everyone is allowed. Order on
/// the command line does not matter, so a reader of the command knows the outcome at a glance.
/// Checked before a single byte is read from the peer, without allocating.
/// </summary>
public sealed class AccessList
{
    private readonly AccessRule[] _deny;
    private readonly AccessRule[] _allow;

    /// <summary>Builds the list from rules in any order.</summary>
    public AccessList(IEnumerable<AccessRule> rules)
    {
        var deny = new List<AccessRule>();
        var allow = new List<AccessRule>();
        foreach (var rule in rules)
        {
            (rule.Allow ? allow : deny).Add(rule);
        }

        _deny = [.. deny];
        _allow = [.. allow];
    }

    /// <summary>The list with no rules: everyone allowed.</summary>
    public static AccessList Open { get; } = new([]);

    /// <summary>True when there is no rule at all.</summary>
    public bool IsOpen => _deny.Length == 0 && _allow.Length == 0;

    /// <summary>Decides for an address given as 4 or 16 big-endian bytes.</summary>
    public AccessDecision Decide(ReadOnlySpan<byte> address)
    {
        foreach (var rule in _deny)
        {
            if (rule.Block.Contains(address))
            {
                return new(false, rule);
            }
        }

        if (_allow.Length == 0)
        {
            return new(true, null);
        }

        foreach (var rule in _allow)
        {
            if (rule.Block.Contains(address))
            {
                return new(true, rule);
            }
        }

        return new(false, null);
    }

    /// <summary>Decides for an address.</summary>
    public AccessDecision Decide(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var written) ? Decide(bytes[..written]) : new(false, null);
    }

    /// <summary>
    /// The decision for <paramref name="address"/> and everything that bears on it, for a person
    /// (<c>--acl-check</c>): the deciding rule, an <c>--allow</c> that a deny overrode, or the
    /// <c>--allow</c> rules none of which matched.
    /// </summary>
    public string Explain(IPAddress address)
    {
        var decision = Decide(address);
        return decision switch
        {
            { Rule.Allow: false } when Array.Find(_allow, r => r.Block.Contains(address)) is { } overridden
                => $"{decision.Reason} (a matching --deny wins over {overridden})",
            { Rule: null, Allowed: false } => $"{decision.Reason} ({string.Join(", ", (IEnumerable<AccessRule>)_allow)})",
            _ => decision.Reason,
        };
    }
}
