using System.Net;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Netkit.Core.Diagnostics;

/// <summary>
/// Every message the core logs, with a stable event id. Peer-supplied text reaches these methods only
/// after <see cref="Protocols.PeerText.Escape"/>.
/// </summary>
/// <remarks>
/// Levels by how often a message comes: Information for what a person watches (connections, the
/// tutorial's chunks); Debug (<c>-v detailed</c>) for connection-level detail (attempts, retries);
/// Trace (<c>-v debug</c>) for a line per datagram or per echoed chunk, which under load is a flood.
/// </remarks>
internal static class Log
{
    /// <summary>Event 1: <c>#{Id} connection from {Remote}</c>.</summary>
    public static void Accepted(ILogger logger, int id, string remote)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogLine.Write(logger, LogLevel.Information, new EventId(1, nameof(Accepted)), "#{Id} connection from {Remote}",
                string.Create(CultureInfo.InvariantCulture, $"#{id} connection from {remote}"), ("Id", id), ("Remote", remote));
        }
    }

    /// <summary>Event 2: <c>#{Id} {Address}:{Data}</c>.</summary>
    public static void Chunk(ILogger logger, int id, string address, string data)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogLine.Write(logger, LogLevel.Information, new EventId(2, nameof(Chunk)), "#{Id} {Address}:{Data}",
                string.Create(CultureInfo.InvariantCulture, $"#{id} {address}:{data}"), ("Id", id), ("Address", address), ("Data", data));
        }
    }

    /// <summary>Event 3: <c>#{Id} closed: {Reason} ({BytesIn} bytes in, {BytesOut} bytes out)</c>.</summary>
    public static void Closed(ILogger logger, int id, string reason, long bytesIn, long bytesOut)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogLine.Write(logger, LogLevel.Information, new EventId(3, nameof(Closed)), "#{Id} closed: {Reason} ({BytesIn} bytes in, {BytesOut} bytes out)",
                string.Create(CultureInfo.InvariantCulture, $"#{id} closed: {reason} ({bytesIn} bytes in, {bytesOut} bytes out)"), ("Id", id), ("Reason", reason), ("BytesIn", bytesIn), ("BytesOut", bytesOut));
        }
    }

    /// <summary>Event 4: <c>rejected connection from {Remote}: {Reason}</c>.</summary>
    public static void Rejected(ILogger logger, string remote, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            LogLine.Write(logger, LogLevel.Warning, new EventId(4, nameof(Rejected)), "rejected connection from {Remote}: {Reason}",
                string.Create(CultureInfo.InvariantCulture, $"rejected connection from {remote}: {reason}"), ("Remote", remote), ("Reason", reason));
        }
    }

    /// <summary>Event 5: <c>accept failed: {Reason}</c>.</summary>
    public static void AcceptFailed(ILogger logger, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            LogLine.Write(logger, LogLevel.Warning, new EventId(5, nameof(AcceptFailed)), "accept failed: {Reason}",
                string.Create(CultureInfo.InvariantCulture, $"accept failed: {reason}"), ("Reason", reason));
        }
    }

    /// <summary>Event 6: <c>{Remote} sent {Length} bytes, replied {Value}</c>.</summary>
    public static void TimeRequest(ILogger logger, string remote, int length, uint value)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            LogLine.Write(logger, LogLevel.Trace, new EventId(6, nameof(TimeRequest)), "{Remote} sent {Length} bytes, replied {Value}",
                string.Create(CultureInfo.InvariantCulture, $"{remote} sent {length} bytes, replied {value}"), ("Remote", remote), ("Length", length), ("Value", value));
        }
    }

    /// <summary>Event 7: <c>receive failed, still serving: {Reason}</c>.</summary>
    public static void ReceiveFailed(ILogger logger, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            LogLine.Write(logger, LogLevel.Warning, new EventId(7, nameof(ReceiveFailed)), "receive failed, still serving: {Reason}",
                string.Create(CultureInfo.InvariantCulture, $"receive failed, still serving: {reason}"), ("Reason", reason));
        }
    }

    /// <summary>Event 8: <c>stopping: waiting for {Count} connection(s) (--shutdown-timeout {Timeout})</c>.</summary>
    public static void Draining(ILogger logger, int count, LoggedDuration timeout)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogLine.Write(logger, LogLevel.Information, new EventId(8, nameof(Draining)), "stopping: waiting for {Count} connection(s) (--shutdown-timeout {Timeout})",
                string.Create(CultureInfo.InvariantCulture, $"stopping: waiting for {count} connection(s) (--shutdown-timeout {timeout})"), ("Count", count), ("Timeout", timeout));
        }
    }

    /// <summary>Event 10: <c>trying {Address}</c>.</summary>
    public static void Trying(ILogger logger, EndPoint address)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogLine.Write(logger, LogLevel.Debug, new EventId(10, nameof(Trying)), "trying {Address}",
                string.Create(CultureInfo.InvariantCulture, $"trying {address}"), ("Address", address));
        }
    }

    /// <summary>Event 11: <c>{Address}: {Reason}</c>.</summary>
    public static void AttemptFailed(ILogger logger, EndPoint address, string reason)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogLine.Write(logger, LogLevel.Debug, new EventId(11, nameof(AttemptFailed)), "{Address}: {Reason}",
                string.Create(CultureInfo.InvariantCulture, $"{address}: {reason}"), ("Address", address), ("Reason", reason));
        }
    }

    /// <summary>Event 12: <c>no reply within {Timeout} (attempt {Attempt} of {Attempts})</c>.</summary>
    public static void NoReply(ILogger logger, LoggedDuration timeout, int attempt, int attempts)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogLine.Write(logger, LogLevel.Debug, new EventId(12, nameof(NoReply)), "no reply within {Timeout} (attempt {Attempt} of {Attempts})",
                string.Create(CultureInfo.InvariantCulture, $"no reply within {timeout} (attempt {attempt} of {attempts})"), ("Timeout", timeout), ("Attempt", attempt), ("Attempts", attempts));
        }
    }

    /// <summary>Event 14: <c>dropped {Length} bytes from {Remote}: {Reason}</c>.</summary>
    public static void DatagramDropped(ILogger logger, string remote, int length, string reason)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            LogLine.Write(logger, LogLevel.Trace, new EventId(14, nameof(DatagramDropped)), "dropped {Length} bytes from {Remote}: {Reason}",
                string.Create(CultureInfo.InvariantCulture, $"dropped {length} bytes from {remote}: {reason}"), ("Length", length), ("Remote", remote), ("Reason", reason));
        }
    }

    /// <summary>Event 15: <c>#{Id} failed: {Reason}</c>.</summary>
    public static void ConnectionFailed(ILogger logger, LogLevel level, int id, string reason)
    {
        if (logger.IsEnabled(level))
        {
            LogLine.Write(logger, level, new EventId(15, nameof(ConnectionFailed)), "#{Id} failed: {Reason}",
                string.Create(CultureInfo.InvariantCulture, $"#{id} failed: {reason}"), ("Id", id), ("Reason", reason));
        }
    }

    /// <summary>Event 16: <c>#{Id} {Length} bytes to echo</c>.</summary>
    public static void EchoChunk(ILogger logger, int id, int length)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            LogLine.Write(logger, LogLevel.Trace, new EventId(16, nameof(EchoChunk)), "#{Id} {Length} bytes to echo",
                string.Create(CultureInfo.InvariantCulture, $"#{id} {length} bytes to echo"), ("Id", id), ("Length", length));
        }
    }

    /// <summary>Event 13: <c>ignored {Length} bytes from {Remote}: not the server asked</c>.</summary>
    public static void StrayDatagram(ILogger logger, int length, string remote)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            LogLine.Write(logger, LogLevel.Trace, new EventId(13, nameof(StrayDatagram)), "ignored {Length} bytes from {Remote}: not the server asked",
                string.Create(CultureInfo.InvariantCulture, $"ignored {length} bytes from {remote}: not the server asked"), ("Length", length), ("Remote", remote));
        }
    }

    /// <summary>Event 17: <c>ignored a reply from {Remote}: {Reason}</c> (an SNTP reply whose origin is not our request's: stale or spoofed).</summary>
    public static void IgnoredReply(ILogger logger, string remote, string reason)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogLine.Write(logger, LogLevel.Debug, new EventId(17, nameof(IgnoredReply)), "ignored a reply from {Remote}: {Reason}",
                string.Create(CultureInfo.InvariantCulture, $"ignored a reply from {remote}: {reason}"), ("Remote", remote), ("Reason", reason));
        }
    }
}
