using System.Globalization;
using System.Text;

namespace Netkit.Core.Protocols;

/// <summary>
/// Turns bytes a peer sent into text that is safe on an operator's terminal or in a log: printable
/// UTF-8 is kept, while control characters (C0, DEL, C1 — the ones that start terminal escape
/// sequences), bidirectional overrides and invalid bytes become visible escapes such as <c>\n</c>,
/// <c>\x1b</c> or <c>\u202e</c>. A backslash is doubled so escapes cannot be forged.
/// </summary>
public static class PeerText
{
    /// <summary>The most of a typed value an error message echoes.</summary>
    public const int TypedMaxChars = 60;

    /// <summary>A value the user typed (an argument: the shell passes anything), as an error echoes
    /// it: escaped like peer bytes, at most <see cref="TypedMaxChars"/> characters.</summary>
    public static string Typed(string? text) => Escape(Encoding.UTF8.GetBytes(text ?? ""), TypedMaxChars);

    /// <summary>Escapes <paramref name="bytes"/>; output is cut after <paramref name="maxChars"/> characters with "…".</summary>
    public static string Escape(ReadOnlySpan<byte> bytes, int maxChars = 4096)
    {
        var text = new StringBuilder(Math.Min(bytes.Length, maxChars) + 8);
        while (!bytes.IsEmpty)
        {
            if (text.Length >= maxChars)
            {
                text.Append('…');
                break;
            }

            var status = Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{bytes[0]:x2}");
                bytes = bytes[1..];
                continue;
            }

            AppendRune(text, rune);
            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    private static void AppendRune(StringBuilder text, Rune rune)
    {
        switch (rune.Value)
        {
            case '\\': text.Append(@"\\"); return;
            case '\n': text.Append(@"\n"); return;
            case '\r': text.Append(@"\r"); return;
            case '\t': text.Append(@"\t"); return;
        }

        if (rune.Value < 0x20 || rune.Value == 0x7f)
        {
            text.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
        }
        else if (Rune.IsControl(rune) || IsFormatting(rune))
        {
            text.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
        }
        else
        {
            text.Append(rune.ToString());
        }
    }

    // Bidi embeddings, overrides and isolates can reorder what the operator sees.
    private static bool IsFormatting(Rune rune)
        => rune.Value is (>= 0x202a and <= 0x202e) or (>= 0x2066 and <= 0x2069) or 0x200e or 0x200f or 0x061c;
}
