using Microsoft.Extensions.Logging;

namespace Netkit.Cli;

/// <summary>The <c>--verbosity</c> words and the log level each means.</summary>
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
