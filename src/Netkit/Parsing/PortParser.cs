using System.Globalization;

namespace Netkit.Parsing;

/// <summary>Parses a TCP/UDP port; servers may ask for 0 (any free port), clients may not.</summary>
internal static class PortParser
{
    public static bool TryParse(string? text, bool allowZero, out int port, out string error)
    {
        error = "";
        if (!int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535 || (port == 0 && !allowZero))
        {
            error = allowZero
                ? $"{Echo.Quote(text)} is not a port (0-65535; 0 picks a free one)"
                : $"{Echo.Quote(text)} is not a port (1-65535)";
            return false;
        }

        return true;
    }
}
