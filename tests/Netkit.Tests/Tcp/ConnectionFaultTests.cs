using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Netkit.Core.Sockets;
using Netkit.Core.Tcp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Tcp;

/// <summary>One bad connection never takes the server down (Kestrel, Bedrock).</summary>
public sealed class ConnectionFaultTests
{
    [Fact]
    public async Task An_unforeseen_exception_ends_one_connection_and_the_server_serves_on()
    {
        // A logging provider that throws is a realistic fault nobody foresaw: here it throws for the
        // chunk log line of one client's data.
        var logger = new ThrowingLogger("boom");
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { AutoReply = "W"u8.ToArray() }, logger: logger);
        var (server, port) = (running.Server, running.Port);

        await AssertResetOrEmptyAsync(port, "boom"u8.ToArray());

        Assert.Equal("fine\nI get it!\nW", Encoding.UTF8.GetString(await Loopback.ConverseAsync(port, "fine"u8.ToArray())));
        await Loopback.UntilAsync(() => server.Counters.Errors == 1);
        Assert.Contains(logger.Errors, e => e.Contains("internal error: InvalidOperationException", StringComparison.Ordinal));

        // The drain does not rethrow the fault: stopping is clean.
        await running.StopAsync();
        Assert.True(running.Run.IsCompletedSuccessfully);
        Assert.Equal(2, server.Counters.Accepted);
    }

    [Fact]
    public async Task A_connection_whose_every_log_line_throws_is_dropped_and_the_server_serves_on()
    {
        // Worse than above: closing the connection fails too (its error and close lines throw), so
        // the fault escapes the connection's own handling. On an event loop that would end the
        // loop's thread, and with it every connection on it (and the process).
        var logger = new ThrowingLogger("#1 ", everyEvent: true);
        await using var running = await RunningTcpServer.StartAsync(new TcpServerOptions { AutoReply = "W"u8.ToArray() }, logger: logger);
        var (server, port) = (running.Server, running.Port);

        await AssertResetOrEmptyAsync(port, "first"u8.ToArray());

        Assert.Equal("second\nI get it!\nW", Encoding.UTF8.GetString(await Loopback.ConverseAsync(port, "second"u8.ToArray())));
        await Loopback.UntilAsync(() => server.Snapshot().Count == 0);
        await running.StopAsync();
        Assert.True(running.Run.IsCompletedSuccessfully);
        Assert.Equal(2, server.Counters.Accepted);
    }

    [Theory]
    [InlineData(SocketError.ConnectionReset, null, ConnectionEndKind.PeerGone)]
    [InlineData(SocketError.ConnectionReset, "kicked by the operator", ConnectionEndKind.Aborted)]
    [InlineData(SocketError.NoBufferSpaceAvailable, null, ConnectionEndKind.SocketFailure)]
    public void The_error_table_decides_what_an_ending_means(SocketError error, string? abortReason, ConnectionEndKind kind)
    {
        var end = SocketErrors.Ending(new SocketException((int)error), abortReason);
        Assert.Equal(kind, end.Kind);
        Assert.Equal(kind == ConnectionEndKind.SocketFailure, end.Reset);
        if (abortReason is not null)
        {
            Assert.Equal(abortReason, end.Reason);
        }
    }

    [Fact]
    public void An_exception_that_is_not_a_socket_error_is_unexpected_logged_as_an_error_and_resets()
    {
        var end = SocketErrors.Ending(new InvalidOperationException("bug"), null);
        Assert.Equal(ConnectionEndKind.Unexpected, end.Kind);
        Assert.Equal(LogLevel.Error, end.Level);
        Assert.True(end.Reset);
        Assert.Equal("internal error: InvalidOperationException: bug", end.Reason);
        Assert.Equal(ConnectionEndKind.Aborted, SocketErrors.Ending(new ObjectDisposedException("socket"), "idle").Kind);
    }

    // The faulty connection is reset: the client sees a reset (or, at most, an empty end).
    private static async Task AssertResetOrEmptyAsync(int port, byte[] message)
    {
        try
        {
            Assert.Empty(await Loopback.ConverseAsync(port, message));
        }
        catch (SocketException e)
        {
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        }
    }

    private sealed class ThrowingLogger(string poison, bool everyEvent = false) : ILogger
    {
        private readonly List<string> _errors = [];

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            if (logLevel == LogLevel.Error)
            {
                lock (_errors)
                {
                    _errors.Add(text);
                }
            }

            // Event 1 is the accept line, written by the accept loop: poisoning it would test that loop.
            if ((everyEvent ? eventId.Id != 1 : eventId.Id == 2) && text.Contains(poison, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the log sink failed");
            }
        }
    }
}
