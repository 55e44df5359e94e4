using System.Globalization;

namespace Netkit.Operator;

/// <summary>
/// One line typed by the operator of a seed server, parsed. Plain lines are words; lines starting
/// with <c>/</c> are commands; <c>//text</c> sends the word <c>/text</c>.
/// </summary>
internal sealed record ConsoleCommand(ConsoleCommandKind Kind, int Id = 0, string Text = "")
{
    public const string Help = "commands: /list, /to ID TEXT, /all TEXT, /kick ID, /stats, /quiet, /verbose [LEVEL], /help; other lines answer the client the prompt names (//x sends /x); Tab completes, Ctrl+D ends operator input";

    /// <summary>The command names, as Tab completes them.</summary>
    public static readonly string[] Names = ["/list", "/to", "/all", "/kick", "/stats", "/quiet", "/verbose", "/help"];

    public static ConsoleCommand Parse(string line)
    {
        if (!line.StartsWith('/'))
        {
            return new(ConsoleCommandKind.Word, Text: line);
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return new(ConsoleCommandKind.Word, Text: line[1..]);
        }

        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? line : line[..space];
        var rest = space < 0 ? "" : line[(space + 1)..];
        return name switch
        {
            "/list" when rest.Trim().Length == 0 => new(ConsoleCommandKind.List),
            "/help" => new(ConsoleCommandKind.Help),
            "/stats" when rest.Trim().Length == 0 => new(ConsoleCommandKind.Stats),
            "/quiet" when rest.Trim().Length == 0 => new(ConsoleCommandKind.Verbosity, Text: "quiet"),
            "/verbose" => ParseLevel(rest.Trim()),
            "/all" => new(ConsoleCommandKind.All, Text: rest),
            "/kick" => ParseId(rest.Trim(), out var id) ? new(ConsoleCommandKind.Kick, id) : Invalid("usage: /kick ID"),
            "/to" => ParseTo(rest),
            _ => Invalid($"unknown command {name}; /help lists them"),
        };
    }

    // A --verbosity word; none is detailed.
    private static ConsoleCommand ParseLevel(string level) => level.Length == 0
        ? new(ConsoleCommandKind.Verbosity, Text: "detailed")
        : Array.IndexOf(Cli.Verbosity.Names, level) >= 0
            ? new(ConsoleCommandKind.Verbosity, Text: level)
            : Invalid($"usage: /verbose [{string.Join('|', Cli.Verbosity.Names)}]");

    private static ConsoleCommand ParseTo(string rest)
    {
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var idText = space < 0 ? rest : rest[..space];
        return ParseId(idText, out var id)
            ? new(ConsoleCommandKind.To, id, space < 0 ? "" : rest[(space + 1)..])
            : Invalid("usage: /to ID TEXT");
    }

    private static bool ParseId(string text, out int id)
        => int.TryParse(text.StartsWith('#') ? text[1..] : text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    private static ConsoleCommand Invalid(string why) => new(ConsoleCommandKind.Invalid, Text: why);
}
