using System.Globalization;

namespace Netkit.Parsing;

/// <summary>Parses byte counts: <c>65536</c>, <c>64k</c>, <c>4m</c>, <c>1g</c> (binary multiples), 1 byte to 1 GiB.</summary>
internal static class SizeParser
{
    public static bool TryParse(string? text, out int value, out string error)
    {
        value = 0;
        error = "";
        var s = (text ?? "").Trim();
        long scale = 1;
        if (s.EndsWith('k') || s.EndsWith('K')) { scale = 1024; s = s[..^1]; }
        else if (s.EndsWith('m') || s.EndsWith('M')) { scale = 1024 * 1024; s = s[..^1]; }
        else if (s.EndsWith('g') || s.EndsWith('G')) { scale = 1024 * 1024 * 1024; s = s[..^1]; }

        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > (1L << 30) / scale)
        {
            error = $"{Echo.Quote(text)} is not a size between 1 and 1g bytes (e.g. 65536, 64k, 4m, 1g)";
            return false;
        }

        value = (int)(amount * scale);
        return true;
    }
}
