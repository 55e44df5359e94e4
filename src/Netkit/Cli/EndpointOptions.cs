using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using Netkit.Core.Sockets;
using Netkit.Parsing;

namespace Netkit.Cli;

/// <summary>
/// Where a command connects or listens: the host (a client's argument, a server's <c>--host</c>),
/// the port it may carry (<c>HOST:PORT</c>, <c>[::1]:7000</c>), <c>--port</c>, and <c>-4</c>/<c>-6</c>;
/// with the checks across them, so a contradiction is a usage error before anything is resolved.
/// </summary>
internal sealed class EndpointOptions
{
    private readonly bool _server;
    private readonly Option<int> _port;
    private readonly Option<HostPort?>? _hostOption;
    private readonly Argument<HostPort?>? _hostArgument;
    private readonly Option<bool> _v4 = CommonOptions.Flag("-4", "Use IPv4 only.");
    private readonly Option<bool> _v6 = CommonOptions.Flag("-6", "Use IPv6 only.");

    private EndpointOptions(Command command, bool server)
    {
        _server = server;
        _port = CommonOptions.Port(server);
        if (server)
        {
            _hostOption = new Option<HostPort?>("--host")
            {
                Description = "Address to bind, optionally with its port (ADDRESS:PORT, [IPv6]:PORT); \"\" means every interface, as in the tutorial. [default: every interface, IPv4 and IPv6]",
                HelpName = "address",
                CustomParser = r => Parse(r, server: true),
            };
            command.Add(_port);
            command.Add(_hostOption);
        }
        else
        {
            _hostArgument = new Argument<HostPort?>("host")
            {
                Description = "Server name or address, optionally with its port: example.org:7000, 127.0.0.1:7000, [::1]:7000 (prompted for when missing and stdin is a terminal).",
                Arity = ArgumentArity.ZeroOrOne,
                CustomParser = r => Parse(r, server: false),
            };
            command.Add(_hostArgument);
            command.Add(_port);
        }

        command.Add(_v4);
        command.Add(_v6);
        CommonOptions.Validate(command, Check);
    }

    public static EndpointOptions AddServer(Command command) => new(command, server: true);

    public static EndpointOptions AddClient(Command command) => new(command, server: false);

    /// <summary>The host given on the command line; null when a client was given none (prompt for it).</summary>
    public HostPort? Host(ParseResult result) => _hostOption is not null ? result.GetValue(_hostOption) : result.GetValue(_hostArgument!);

    /// <summary>The port: written into the host, else <c>--port</c> (or its default).</summary>
    public int Port(ParseResult result, HostPort? host) => host?.Port ?? result.GetValue(_port);

    /// <summary>The port: written into the host, else <c>--port</c>, else <paramref name="fallback"/>
    /// (a protocol's own port, such as SNTP's 123, instead of the tutorial's 12345).</summary>
    public int Port(ParseResult result, HostPort? host, int fallback)
        => host?.Port ?? (result.GetResult(_port) is { Implicit: false } ? result.GetValue(_port) : fallback);

    public AddressFamilyPreference Family(ParseResult result)
        => result.GetValue(_v4) ? AddressFamilyPreference.IPv4 : result.GetValue(_v6) ? AddressFamilyPreference.IPv6 : AddressFamilyPreference.Any;

    /// <summary>A server's bind request (no host: every interface).</summary>
    public ListenRequest Listen(ParseResult result, SocketSettings settings)
    {
        var host = Host(result);
        return new ListenRequest(host?.Host, Port(result, host), Family(result), settings);
    }

    /// <summary>A host typed at the prompt, checked as the command line would be.</summary>
    public HostPort Typed(ParseResult result, string text)
    {
        if (!HostPort.TryParse(text, _server, out var host, out var error))
        {
            throw new UsageException(error);
        }

        return Conflict(host, result.GetResult(_port) is { Implicit: false } ? result.GetValue(_port) : null, Family(result)) is { } conflict
            ? throw new UsageException(conflict)
            : host;
    }

    private static HostPort? Parse(ArgumentResult r, bool server)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (!HostPort.TryParse(text, server, out var host, out var error))
        {
            // An unknown option that landed here is said as such, not as a bad host.
            r.AddError(text.StartsWith('-') ? error : $"{(r.Parent is OptionResult o ? o.Option.Name : "host")}: {error}");
            return null;
        }

        return host;
    }

    private void Check(CommandResult r)
    {
        if (r.GetValue(_v4) && r.GetValue(_v6))
        {
            r.AddError("-4 and -6 exclude each other");
            return;
        }

        var host = _hostOption is not null ? r.GetValue(_hostOption) : r.GetValue(_hostArgument!);
        if (host is { } given)
        {
            var family = r.GetValue(_v4) ? AddressFamilyPreference.IPv4 : r.GetValue(_v6) ? AddressFamilyPreference.IPv6 : AddressFamilyPreference.Any;
            var port = r.GetResult(_port) is OptionResult { Implicit: false } ? r.GetValue(_port) : (int?)null;
            if (Conflict(given, port, family) is { } conflict)
            {
                r.AddError(conflict);
            }
        }
    }

    private static string? Conflict(HostPort host, int? port, AddressFamilyPreference family)
    {
        if (host.Port is { } inHost && port is { } option && inHost != option)
        {
            return $"--port {option} contradicts the port in '{host}:{inHost}'";
        }

        return (host.Literal?.AddressFamily, family) switch
        {
            (AddressFamily.InterNetwork, AddressFamilyPreference.IPv6) => $"-6 asks for IPv6, but {host} is an IPv4 address",
            (AddressFamily.InterNetworkV6, AddressFamilyPreference.IPv4) => $"-4 asks for IPv4, but {host} is an IPv6 address",
            _ => null,
        };
    }
}
