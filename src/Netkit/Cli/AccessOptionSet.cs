using System.CommandLine;
using System.CommandLine.Parsing;
using Netkit.Core.Policy;

namespace Netkit.Cli;

/// <summary><c>--allow</c>, <c>--deny</c> (repeatable CIDR blocks) and <c>--acl-check ADDRESS</c> of a server command.</summary>
internal sealed class AccessOptionSet
{
    private readonly Option<Cidr[]> _allow;
    private readonly Option<Cidr[]> _deny;
    private readonly Option<string?> _check;

    public AccessOptionSet(Command command)
    {
        _allow = Blocks("--allow", "Serve only peers in this address block (repeatable; e.g. 10.0.0.0/8, ::1).");
        _deny = Blocks("--deny", "Refuse peers in this address block (repeatable); a matching --deny always wins.");
        _check = CommonOptions.Text("--acl-check", "Print what --allow/--deny decide for ADDRESS and the rule that decides, then exit (0 allowed, 5 denied).", "address");
        command.Add(_allow);
        command.Add(_deny);
        command.Add(_check);
    }

    public AccessList Bind(ParseResult result)
    {
        var rules = new List<AccessRule>();
        foreach (var block in result.GetValue(_allow) ?? [])
        {
            rules.Add(new AccessRule(true, block));
        }

        foreach (var block in result.GetValue(_deny) ?? [])
        {
            rules.Add(new AccessRule(false, block));
        }

        return new AccessList(rules);
    }

    /// <summary>With <c>--acl-check</c>, prints the decision and returns the exit code; otherwise null.</summary>
    public int? Check(ParseResult result, TextWriter output)
    {
        if (result.GetValue(_check) is not { } text)
        {
            return null;
        }

        var trimmed = text.Trim().TrimStart('[').TrimEnd(']');
        if (!Core.Sockets.AddressParser.TryParse(trimmed, allowZone: false, out var address))
        {
            throw new UsageException($"--acl-check: {Parsing.Echo.Quote(text)} is not an IP address");
        }

        var access = Bind(result);
        output.WriteLine($"{address}: {access.Explain(address)}");
        return access.Decide(address).Allowed ? ExitCode.Ok : ExitCode.Denied;
    }

    private static Option<Cidr[]> Blocks(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "cidr",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = Parse,
    };

    private static Cidr[] Parse(ArgumentResult result)
    {
        var blocks = new List<Cidr>();
        foreach (var token in result.Tokens)
        {
            if (!Cidr.TryParse(token.Value, out var block, out var error))
            {
                result.AddError($"{((OptionResult)result.Parent!).Option.Name}: {error}");
                return [];
            }

            blocks.Add(block);
        }

        return [.. blocks];
    }
}
