using System.Net.Sockets;
using System.Text;
using Netkit.Core.Tcp;
using Netkit.Tests.Support;

namespace Netkit.Tests.Tcp;

/// <summary>Seed mode with an operator: the tutorial's order per connection, and nobody left waiting.</summary>
public sealed class OperatorWordTests
{
    private static readonly TcpServerOptions WithOperator = new() { OperatorWords = true };
    private static readonly string Ack = "\nI get it!\n";

    [Fact]
    public async Task The_word_goes_to_the_client_that_waits_for_it()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var words = running.Server.Words!;
        using var client = await Loopback.ConnectAsync(running.Port);
        await client.SendAsync("question"u8.ToArray(), SocketFlags.None);
        Assert.Equal("question" + Ack, Encoding.UTF8.GetString(await Loopback.ReadExactlyAsync(client, ("question" + Ack).Length)));
        await Loopback.UntilAsync(() => words.Waiting == 1);

        var id = running.Server.Snapshot().Single().Id;
        Assert.True(words.IsWaiting(id));
        Assert.False(words.Answer(id + 100, "nobody"u8.ToArray()));
        Assert.True(words.Answer(id, "answer"u8.ToArray()));
        Assert.False(words.Answer(id, "twice"u8.ToArray()));
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("answer", Encoding.UTF8.GetString(await Loopback.ReadToEndAsync(client)));
        Assert.Equal(1, words.Answered);
    }

    [Fact]
    public async Task Each_chunk_waits_for_its_word_before_the_next_is_read()
    {
        // The tutorial: recv, sendall(data), sendall(ack), input(), send(word), recv again. The second
        // chunk is in the server's socket before the first word is typed; it must come after it.
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var words = running.Server.Words!;
        using var client = await Loopback.ConnectAsync(running.Port);
        await client.SendAsync("one"u8.ToArray(), SocketFlags.None);
        await Loopback.ReadExactlyAsync(client, ("one" + Ack).Length);
        await client.SendAsync("two"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var reading = Loopback.ReadToEndAsync(client);

        Assert.Equal(running.Server.Snapshot().Single().Id, await words.AnswerNextAsync("w1"u8.ToArray(), CancellationToken.None).WaitAsync(Loopback.Patience));
        await words.AnswerNextAsync("w2"u8.ToArray(), CancellationToken.None).WaitAsync(Loopback.Patience);
        Assert.Equal("w1two" + Ack + "w2", Encoding.UTF8.GetString(await reading));
    }

    [Fact]
    public async Task A_client_that_half_closes_still_gets_the_word_it_is_owed()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var conversation = Loopback.ConverseAsync(running.Port, "hello"u8.ToArray());
        await Loopback.UntilAsync(() => running.Server.Words!.Waiting == 1);
        Assert.NotNull(running.Server.Words!.AnswerLatest("WORD"u8.ToArray()));
        Assert.Equal("hello" + Ack + "WORD", Encoding.UTF8.GetString(await conversation));
    }

    [Fact]
    public async Task Piped_words_answer_many_clients_in_order_and_each_gets_one()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        const int clients = 300;
        var conversations = Enumerable.Range(0, clients)
            .Select(i => Loopback.ConverseAsync(running.Port, Encoding.UTF8.GetBytes($"c{i}")))
            .ToArray();
        var operatorWords = Task.Run(async () =>
        {
            for (var i = 0; i < clients; i++)
            {
                await running.Server.Words!.AnswerNextAsync(Encoding.UTF8.GetBytes($"w{i}."), CancellationToken.None);
            }
        });

        var replies = (await Task.WhenAll(conversations).WaitAsync(Loopback.Patience)).Select(Encoding.UTF8.GetString).ToArray();
        await operatorWords.WaitAsync(Loopback.Patience);
        for (var i = 0; i < clients; i++)
        {
            Assert.StartsWith($"c{i}" + Ack + "w", replies[i], StringComparison.Ordinal);
        }

        // Every word went to exactly one client.
        var given = replies.Select(r => r[(r.IndexOf(Ack, StringComparison.Ordinal) + Ack.Length)..]).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, clients).Select(i => $"w{i}.").Order(), given);
        Assert.Equal(clients, running.Server.Words!.Answered);
    }

    [Fact]
    public async Task When_the_operator_has_no_more_words_waiting_clients_are_released_and_counted()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var words = running.Server.Words!;
        var conversations = Enumerable.Range(0, 3).Select(_ => Loopback.ConverseAsync(running.Port, "hello"u8.ToArray())).ToArray();
        await Loopback.UntilAsync(() => words.Waiting == 3);
        Assert.All(conversations, c => Assert.False(c.IsCompleted));

        Assert.Equal(3, words.End());
        foreach (var reply in await Task.WhenAll(conversations).WaitAsync(Loopback.Patience))
        {
            Assert.Equal("hello" + Ack, Encoding.UTF8.GetString(reply));
        }

        Assert.Equal(3, words.Released);

        // After the end, chunks are answered with data and ack and nobody waits.
        Assert.Equal("again" + Ack, Encoding.UTF8.GetString(await Loopback.ConverseAsync(running.Port, "again"u8.ToArray())));
        Assert.Equal(0, await words.AnswerNextAsync("late"u8.ToArray(), CancellationToken.None));
    }

    [Fact]
    public async Task In_the_background_chunks_do_not_wait_and_in_the_foreground_they_do_again()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var words = running.Server.Words!;
        var waiting = Loopback.ConverseAsync(running.Port, "a"u8.ToArray());
        await Loopback.UntilAsync(() => words.Waiting == 1);
        Assert.Equal(1, words.Suspend());
        Assert.Equal("a" + Ack, Encoding.UTF8.GetString(await waiting.WaitAsync(Loopback.Patience)));
        Assert.Equal("b" + Ack, Encoding.UTF8.GetString(await Loopback.ConverseAsync(running.Port, "b"u8.ToArray())));

        words.Resume();
        var again = Loopback.ConverseAsync(running.Port, "c"u8.ToArray());
        await Loopback.UntilAsync(() => words.Waiting == 1);
        Assert.NotNull(words.AnswerLatest("W"u8.ToArray()));
        Assert.Equal("c" + Ack + "W", Encoding.UTF8.GetString(await again));
    }

    [Fact]
    public async Task A_kicked_client_stops_waiting_and_the_next_word_goes_to_the_next_client()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var words = running.Server.Words!;
        using var first = await Loopback.ConnectAsync(running.Port);
        await first.SendAsync("first"u8.ToArray(), SocketFlags.None);
        await Loopback.UntilAsync(() => words.Waiting == 1);
        var kicked = running.Server.Snapshot().Single().Id;
        var second = Loopback.ConverseAsync(running.Port, "second"u8.ToArray());
        await Loopback.UntilAsync(() => words.Waiting == 2);

        Assert.True(running.Server.Kick(kicked));
        await Loopback.UntilAsync(() => words.Waiting == 1);
        Assert.False(words.IsWaiting(kicked));
        Assert.NotEqual(kicked, await words.AnswerNextAsync("W"u8.ToArray(), CancellationToken.None).WaitAsync(Loopback.Patience));
        Assert.Equal("second" + Ack + "W", Encoding.UTF8.GetString(await second));
    }

    [Fact]
    public async Task A_word_typed_when_nobody_waits_is_refused_not_queued()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var words = running.Server.Words!;
        Assert.Null(words.AnswerLatest("early"u8.ToArray()));
        Assert.Equal(0, words.AnswerAll("early"u8.ToArray()));
        Assert.Equal("x" + Ack + "W", await ConverseAnsweringAsync(running, "x", "W"));
    }

    [Fact]
    public async Task Stopping_releases_waiting_clients_and_their_conversations_end_gracefully()
    {
        // A shutdown timeout far beyond the test's patience: only the release lets the drain end.
        var running = await RunningTcpServer.StartAsync(WithOperator with { ShutdownTimeout = TimeSpan.FromMinutes(10) });
        var waiting = Loopback.ConverseAsync(running.Port, "x"u8.ToArray());
        await Loopback.UntilAsync(() => running.Server.Words!.Waiting == 1);
        await running.StopAsync();
        Assert.True(running.Run.IsCompletedSuccessfully);
        Assert.Equal(1, running.Server.Words!.Released);
        Assert.Equal("x" + Ack, Encoding.UTF8.GetString(await waiting));
        await running.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_resets_while_it_waits_stops_waiting_and_the_word_goes_to_the_next()
    {
        await using var running = await RunningTcpServer.StartAsync(WithOperator);
        var words = running.Server.Words!;
        var dead = await Loopback.ConnectAsync(running.Port);
        await dead.SendAsync("dead"u8.ToArray(), SocketFlags.None);
        await Loopback.UntilAsync(() => words.Waiting == 1);
        var deadId = running.Server.Snapshot().Single().Id;
        var alive = Loopback.ConverseAsync(running.Port, "alive"u8.ToArray());
        await Loopback.UntilAsync(() => words.Waiting == 2);

        dead.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        dead.Close();
        await Loopback.UntilAsync(() => words.Waiting == 1);
        Assert.False(words.IsWaiting(deadId));
        Assert.NotEqual(deadId, await words.AnswerNextAsync("W"u8.ToArray(), CancellationToken.None).WaitAsync(Loopback.Patience));
        Assert.Equal("alive" + Ack + "W", Encoding.UTF8.GetString(await alive));
        Assert.Equal(1, words.Answered);
    }

    [Fact]
    public async Task Waiting_for_the_operator_is_not_the_clients_idleness()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var running = await RunningTcpServer.StartAsync(WithOperator with { IdleTimeout = TimeSpan.FromSeconds(1) }, time);
        var words = running.Server.Words!;
        var waiting = Loopback.ConverseAsync(running.Port, "x"u8.ToArray());
        await Loopback.UntilAsync(() => words.Waiting == 1);

        // A witness that really is idle shows the sweep ran; the waiting client survives it.
        using var idle = await Loopback.ConnectAsync(running.Port);
        await Loopback.UntilAsync(() => running.Server.Snapshot().Count == 2);
        await Loopback.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return running.Server.Counters.Drops(Netkit.Core.Diagnostics.DropReason.Idle) == 1;
        });
        Assert.Equal(1, words.Waiting);
        Assert.NotNull(words.AnswerLatest("W"u8.ToArray()));
        Assert.Equal("x" + Ack + "W", Encoding.UTF8.GetString(await waiting));
    }

    [Fact]
    public async Task A_word_returned_by_a_connection_that_died_goes_to_the_next_waiting_chunk_and_is_not_counted_twice()
    {
        var words = new WordRequests();
        var dead = new WordTicket(1);
        var next = new WordTicket(2);
        var deadWait = words.WaitAsync(dead);
        Assert.Equal(1, await words.AnswerNextAsync("w"u8.ToArray(), CancellationToken.None));
        Assert.Equal("w", Encoding.UTF8.GetString((await deadWait)!.Value.Span));

        // Nobody waits yet: the returned word is held for the next chunk, which gets it at once.
        words.Return("w"u8.ToArray());
        Assert.Equal(0, words.Answered);
        Assert.Equal("w", Encoding.UTF8.GetString((await words.WaitAsync(next))!.Value.Span));
        Assert.Equal(1, words.Answered);

        // With a client waiting, it goes straight to that one.
        var nextWait = words.WaitAsync(next);
        words.Return("v"u8.ToArray());
        Assert.Equal("v", Encoding.UTF8.GetString((await nextWait.AsTask().WaitAsync(Loopback.Patience))!.Value.Span));
        Assert.Equal(1, words.Answered);
    }

    private static async Task<string> ConverseAnsweringAsync(RunningTcpServer running, string chunk, string word)
    {
        var conversation = Loopback.ConverseAsync(running.Port, Encoding.UTF8.GetBytes(chunk));
        await Loopback.UntilAsync(() => running.Server.Words!.Waiting == 1);
        Assert.NotNull(running.Server.Words!.AnswerLatest(Encoding.UTF8.GetBytes(word)));
        return Encoding.UTF8.GetString(await conversation);
    }
}
