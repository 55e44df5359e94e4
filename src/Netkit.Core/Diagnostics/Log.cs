using System.Net;
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
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "#{Id} connection from {Remote}")]
    public static partial void Accepted(ILogger logger, int id, string remote);

    [LoggerMessage(2, LogLevel.Information, "#{Id} {Address}:{Data}")]
    public static partial void Chunk(ILogger logger, int id, string address, string data);

    [LoggerMessage(3, LogLevel.Information, "#{Id} closed: {Reason} ({BytesIn} bytes in, {BytesOut} bytes out)")]
    public static partial void Closed(ILogger logger, int id, string reason, long bytesIn, long bytesOut);

    [LoggerMessage(4, LogLevel.Warning, "rejected connection from {Remote}: {Reason}")]
    public static partial void Rejected(ILogger logger, string remote, string reason);

    [LoggerMessage(5, LogLevel.Warning, "accept failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(6, LogLevel.Trace, "{Remote} sent {Length} bytes, replied {Value}")]
    public static partial void TimeRequest(ILogger logger, string remote, int length, uint value);

    [LoggerMessage(7, LogLevel.Warning, "receive failed, still serving: {Reason}")]
    public static partial void ReceiveFailed(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Information, "stopping: waiting for {Count} connection(s) (--shutdown-timeout {Timeout})")]
    public static partial void Draining(ILogger logger, int count, LoggedDuration timeout);

    [LoggerMessage(10, LogLevel.Debug, "trying {Address}")]
    public static partial void Trying(ILogger logger, EndPoint address);

    [LoggerMessage(11, LogLevel.Debug, "{Address}: {Reason}")]
    public static partial void AttemptFailed(ILogger logger, EndPoint address, string reason);

    [LoggerMessage(12, LogLevel.Debug, "no reply within {Timeout} (attempt {Attempt} of {Attempts})")]
    public static partial void NoReply(ILogger logger, LoggedDuration timeout, int attempt, int attempts);

    [LoggerMessage(14, LogLevel.Trace, "dropped {Length} bytes from {Remote}: {Reason}")]
    public static partial void DatagramDropped(ILogger logger, string remote, int length, string reason);

    [LoggerMessage(EventId = 15, Message = "#{Id} failed: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, LogLevel level, int id, string reason);

    [LoggerMessage(16, LogLevel.Trace, "#{Id} {Length} bytes to echo")]
    public static partial void EchoChunk(ILogger logger, int id, int length);

    [LoggerMessage(13, LogLevel.Trace, "ignored {Length} bytes from {Remote}: not the server asked")]
    public static partial void StrayDatagram(ILogger logger, int length, string remote);
}
