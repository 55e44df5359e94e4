namespace Netkit.Parsing;

/// <summary>How a value the user typed is quoted back in an error: in single quotes, control
/// characters and invalid text escaped (never a raw ESC on the terminal), at most 60 characters.</summary>
internal static class Echo
{
    public static string Quote(string? text) => "'" + Plain(text) + "'";

    /// <summary>The escaped text without quotes.</summary>
    public static string Plain(string? text)
        => Core.Protocols.PeerText.Typed(text);
}
