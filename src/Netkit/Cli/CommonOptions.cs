using System.CommandLine;
using System.CommandLine.Parsing;
using Netkit.Core.Diagnostics;
using Netkit.Parsing;

namespace Netkit.Cli;

/// <summary>Options several commands share, and the parsers that give each a one-line error.</summary>
internal static class CommonOptions
{
    public const int DefaultPort = 12345;

    // TCP_KEEPIDLE, TCP_KEEPINTVL and SO_LINGER take at most 32767 seconds.
    private static readonly TimeSpan SocketSecondsMaximum = TimeSpan.FromSeconds(32767);

    public static readonly Option<string> Verbosity = Choice(new Option<string>("--verbosity", "-v")
    {
        Description = "How much to log on stderr: quiet (warnings and errors), normal, detailed (attempts, retries, counts) or debug (also a line per datagram and per echoed chunk).",
        DefaultValueFactory = _ => "normal",
        Recursive = true,
        HelpName = "level",
    }, Cli.Verbosity.Names);

    public static readonly Option<string> LogFormat = Choice(new Option<string>("--log-format")
    {
        Description = "Format of every stderr line: simple, json (one object per line) or systemd (<N> priority prefix).",
        DefaultValueFactory = _ => "simple",
        Recursive = true,
        HelpName = "format",
    }, Logging.Formats);

    public static Option<int> Port(bool server) => new("--port", "-p")
    {
        Description = server
            ? "Port to listen on; 0 picks a free port and prints it."
            : "Port to connect to; HOST:PORT gives it too (then --port, if given, must agree).",
        DefaultValueFactory = _ => DefaultPort,
        CustomParser = r => PortParser.TryParse(Single(r), server, out var port, out var error) ? port : Fail<int>(r, error),
    };

    /// <summary>A duration option that is not a timeout (keepalive timers, linger): 0 is refused
    /// unless it has a meaning of its own, said in <paramref name="description"/>.</summary>
    public static Option<TimeSpan?> OptionalDuration(string name, string description, bool allowZero = false, bool wholeSeconds = false) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = r => ParseDuration(r, allowZero, wholeSeconds),
    };

    /// <summary>A timeout: <paramref name="defaultValue"/> when not given, null (never) for 0 or when
    /// the default is never. Its default is shown once, written as people write it.</summary>
    public static TimeoutOption Timeout(string name, string description, TimeSpan? defaultValue, params string[] aliases) => new(new Option<TimeSpan?>(name, aliases)
    {
        Description = $"{description} 0 means never. [default: {(defaultValue is { } d ? DurationText.Format(d) : "never")}]",
        HelpName = "duration",
        CustomParser = r => ParseDuration(r, allowZero: true, wholeSeconds: false),
    }, defaultValue);

    /// <summary>An option that takes one of <paramref name="names"/>; anything else is one line naming them.</summary>
    public static Option<T> Choice<T>(Option<T> option, IReadOnlyList<string> names)
    {
        option.CompletionSources.Add(names.ToArray());
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !names.Contains(r.Tokens[^1].Value, StringComparer.Ordinal))
            {
                r.AddError($"{r.Option.Name}: {Echo.Quote(r.Tokens[^1].Value)} is not one of {string.Join(", ", names)}");
            }
        });
        return option;
    }

    /// <summary>A choice of named values (<typeparamref name="T"/> an enum): absent is null, the caller's
    /// default, which the help names first; anything else is one line naming the choices. The option
    /// itself holds the choice's index (one <c>Option&lt;int?&gt;</c> for every enum: each option type
    /// costs the AOT binary a copy of System.CommandLine's generic code).</summary>
    public static ChoiceOption<T> Enum<T>(string name, string description, (string Name, T Value)[] choices)
        where T : struct
    {
        var names = new string[choices.Length];
        var values = new T[choices.Length];
        for (var i = 0; i < choices.Length; i++)
        {
            (names[i], values[i]) = choices[i];
        }

        var option = new Option<int?>(name)
        {
            Description = $"{description} [default: {names[0]}]",
            HelpName = string.Join('|', names),
            CustomParser = r =>
            {
                var text = Single(r);
                var index = Array.IndexOf(names, text);
                return index >= 0 ? index : Fail<int?>(r, $"{Echo.Quote(text)} is not one of {string.Join(", ", names)}");
            },
        };
        option.CompletionSources.Clear();
        option.CompletionSources.Add(names);
        return new ChoiceOption<T>(option, values);
    }

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

    // Timers run in milliseconds, so a positive value below one is a typo, not "at once"; the
    // socket options that take seconds (keepalive, linger) take whole ones, never rounded.
    private static TimeSpan? ParseDuration(ArgumentResult r, bool allowZero, bool wholeSeconds)
    {
        if (!DurationParser.TryParse(Single(r), out var value, out var error))
        {
            return Fail<TimeSpan?>(r, error);
        }

        var unit = wholeSeconds ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(1);
        if (value == TimeSpan.Zero)
        {
            return allowZero ? value : Fail<TimeSpan?>(r, $"{Echo.Quote(Single(r))} is too short (at least {DurationText.Format(unit)})");
        }

        if (value < unit)
        {
            return Fail<TimeSpan?>(r, $"{Echo.Quote(Single(r))} is too short (at least {DurationText.Format(unit)})");
        }

        if (wholeSeconds && value > SocketSecondsMaximum)
        {
            return Fail<TimeSpan?>(r, $"{Echo.Quote(Single(r))} is too long (at most {DurationText.Format(SocketSecondsMaximum)}, what the OS takes)");
        }

        return !wholeSeconds || value.Ticks % TimeSpan.TicksPerSecond == 0
            ? value
            : Fail<TimeSpan?>(r, $"{Echo.Quote(Single(r))} is not a whole number of seconds (the OS takes seconds)");
    }

    private static int? ParseCount(ArgumentResult r, int min, int max)
    {
        var text = Single(r);
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        return Fail<int?>(r, $"{Echo.Quote(text)} is not a whole number from {min} to {max}");
    }

    private static string Single(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[0].Value : "";

    private static T Fail<T>(ArgumentResult r, string error)
    {
        r.AddError($"{OptionName(r)}: {error}");
        return default!;
    }

    private static string OptionName(ArgumentResult r) => r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name;
}
