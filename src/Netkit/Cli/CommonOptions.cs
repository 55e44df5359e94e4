using System.CommandLine;
using System.CommandLine.Parsing;
using Netkit.Core.Sockets;
using Netkit.Parsing;

namespace Netkit.Cli;

/// <summary>Options several commands share, and the parsers that give each a one-line error.</summary>
internal static class CommonOptions
{
    public const int DefaultPort = 12345;

    public static readonly Option<string> Verbosity = new("--verbosity", "-v")
    {
        Description = "How much to log on stderr: quiet, normal, detailed or debug.",
        DefaultValueFactory = _ => "normal",
        Recursive = true,
        HelpName = "level",
    };

    public static readonly Option<string> LogFormat = new("--log-format")
    {
        Description = "Log line format on stderr: simple, json or systemd.",
        DefaultValueFactory = _ => "simple",
        Recursive = true,
        HelpName = "format",
    };

    static CommonOptions()
    {
        Verbosity.AcceptOnlyFromAmong(Cli.Verbosity.Names);
        LogFormat.AcceptOnlyFromAmong(Logging.Formats);
    }

    public static Option<int> Port(bool server) => new("--port", "-p")
    {
        Description = server
            ? $"Port to listen on (default {DefaultPort}); 0 picks a free port and prints it."
            : $"Port to connect to (default {DefaultPort}).",
        DefaultValueFactory = _ => DefaultPort,
        CustomParser = r => PortParser.TryParse(Single(r), server, out var port, out var error) ? port : Fail<int>(r, error),
    };

    public static Option<TimeSpan?> OptionalDuration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = r => ParseDuration(r),
    };

    public static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        HelpName = "duration",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseDuration(r) ?? defaultValue,
    };

    public static Option<int> Count(string name, string description, int defaultValue, int min, int max) => new(name)
    {
        Description = description,
        HelpName = "n",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseCount(r, min, max) ?? defaultValue,
    };

    public static Option<int?> OptionalCount(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        HelpName = "n",
        CustomParser = r => ParseCount(r, min, max),
    };

    public static Option<int?> Size(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "bytes",
        CustomParser = r => SizeParser.TryParse(Single(r), out var size, out var error) ? size : Fail<int?>(r, error),
    };

    public static Option<bool> Flag(string name, string description, params string[] aliases) => new(name, aliases) { Description = description };

    public static Option<string?> Text(string name, string description, string helpName, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = helpName,
    };

    /// <summary>
    /// Adds a check across options. An option whose own value failed to parse throws when read, and
    /// its error is already reported, so such a check simply does not run.
    /// </summary>
    public static void Validate(Command command, Action<CommandResult> check) => command.Validators.Add(r =>
    {
        try
        {
            check(r);
        }
        catch (InvalidOperationException)
        {
            // A value in the check could not be read: its parse error stands on its own.
        }
    });

    /// <summary>The <c>-4</c>/<c>-6</c> pair, validated on <paramref name="command"/> so both at once is an error.</summary>
    public static Func<ParseResult, AddressFamilyPreference> AddFamily(Command command)
    {
        var v4 = Flag("-4", "Use IPv4 only.");
        var v6 = Flag("-6", "Use IPv6 only.");
        command.Add(v4);
        command.Add(v6);
        Validate(command, r =>
        {
            if (r.GetValue(v4) && r.GetValue(v6))
            {
                r.AddError("-4 and -6 exclude each other");
            }
        });
        return r => r.GetValue(v4) ? AddressFamilyPreference.IPv4 : r.GetValue(v6) ? AddressFamilyPreference.IPv6 : AddressFamilyPreference.Any;
    }

    private static TimeSpan? ParseDuration(ArgumentResult r)
        => DurationParser.TryParse(Single(r), out var value, out var error) ? value : Fail<TimeSpan?>(r, error);

    private static int? ParseCount(ArgumentResult r, int min, int max)
    {
        var text = Single(r);
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        return Fail<int?>(r, $"'{text}' is not a whole number from {min} to {max}");
    }

    private static string Single(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[0].Value : "";

    private static T Fail<T>(ArgumentResult r, string error)
    {
        r.AddError($"{OptionName(r)}: {error}");
        return default!;
    }

    private static string OptionName(ArgumentResult r) => r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name;
}
