using Microsoft.Extensions.Logging;

namespace Netkit.Cli;

/// <summary>Messages the command line itself logs, with stable event ids (the core's start at 1).</summary>
internal static partial class CliLog
{
    [LoggerMessage(100, LogLevel.Debug, "so far: {Requests} request(s), {Replies} replied, {Dropped} dropped ({DropReasons}), {Errors} error(s)")]
    public static partial void UdpCounts(ILogger logger, long requests, long replies, long dropped, string dropReasons, long errors);
}
