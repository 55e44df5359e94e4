namespace Netkit.Operator;

/// <summary>
/// Tab at the operator's console: a command name after <c>/</c>, a client id after <c>/to</c> (the
/// clients waiting for a word) and <c>/kick</c> (every client here). One choice is completed
/// (with a space after it); several are completed as far as they agree, and listed.
/// </summary>
internal static class ConsoleCompletion
{
    /// <summary>The line before the cursor after Tab, and the choices there were (none or one: nothing to list).</summary>
    public sealed record Result(string Completed, IReadOnlyList<string> Choices);

    /// <summary>Completes the text left of the cursor.</summary>
    /// <param name="before">The line up to the cursor.</param>
    /// <param name="clients">The ids of the clients here now.</param>
    /// <param name="waiting">The ids of those waiting for a word.</param>
    public static Result Complete(string before, IReadOnlyList<int> clients, IReadOnlyList<int> waiting)
    {
        if (!before.StartsWith('/') || before.StartsWith("//", StringComparison.Ordinal))
        {
            return new(before, []);
        }

        var space = before.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return Pick(before, "", ConsoleCommand.Names);
        }

        var name = before[..space];
        var argument = before[(space + 1)..];
        if (argument.Contains(' ', StringComparison.Ordinal) || name is not ("/to" or "/kick"))
        {
            return new(before, []); // Past the id, or a command without one: the rest is text.
        }

        var ids = name == "/to" ? waiting : clients;
        var choices = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            choices.Add(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return Pick(argument.TrimStart('#'), before[..(space + 1)], choices);
    }

    private static Result Pick(string typed, string head, IReadOnlyList<string> all)
    {
        var matches = new List<string>();
        foreach (var choice in all)
        {
            if (choice.StartsWith(typed, StringComparison.Ordinal))
            {
                matches.Add(choice);
            }
        }

        if (matches.Count == 0)
        {
            return new(head + typed, []);
        }

        if (matches.Count == 1)
        {
            return new(head + matches[0] + " ", matches);
        }

        // As far as every match agrees.
        var common = matches[0].Length;
        foreach (var match in matches)
        {
            var i = 0;
            while (i < common && i < match.Length && match[i] == matches[0][i])
            {
                i++;
            }

            common = i;
        }

        return new(head + matches[0][..Math.Max(common, typed.Length)], matches);
    }
}
