using System.Globalization;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;

namespace Netkit.Cli;

/// <summary>Messages the command line itself logs, with stable event ids (the core's start at 1).</summary>
internal static class CliLog
{
    /// <summary>Event 100: <c>so far: {Requests} request(s), {Replies} replied, {Dropped} dropped ({DropReasons}), {Errors} error(s)</c>.</summary>
    public static void UdpCounts(ILogger logger, long requests, long replies, long dropped, string dropReasons, long errors)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogLine.Write(logger, LogLevel.Debug, new EventId(100, nameof(UdpCounts)), "so far: {Requests} request(s), {Replies} replied, {Dropped} dropped ({DropReasons}), {Errors} error(s)",
                string.Create(CultureInfo.InvariantCulture, $"so far: {requests} request(s), {replies} replied, {dropped} dropped ({dropReasons}), {errors} error(s)"), ("Requests", requests), ("Replies", replies), ("Dropped", dropped), ("DropReasons", dropReasons), ("Errors", errors));
        }
    }
}
