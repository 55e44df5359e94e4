using Microsoft.Extensions.Logging;

namespace Netkit.Cli;

/// <summary>
/// The <c>--verbosity</c> words and the log level each means: detailed is Debug (connection-level
/// events: attempts, retries, periodic counts), debug is Trace (a line per datagram and per echoed
/// chunk). See the remarks on <c>Netkit.Core.Diagnostics.Log</c>.
/// </summary>
internal static class Verbosity
{
    public static readonly string[] Names = ["quiet", "normal", "detailed", "debug"];

    public static LogLevel ToLevel(string name) => name switch
    {
        "quiet" => LogLevel.Warning,
        "detailed" => LogLevel.Debug,
        "debug" => LogLevel.Trace,
        _ => LogLevel.Information,
    };
}
