using System.Globalization;
using System.Text;
using Netkit.Core.Tcp;

namespace Netkit.Operator;

/// <summary>
/// The operator's side of a seed server. From a terminal, typed lines go to the client that sent the
/// latest chunk and <c>/</c> commands manage clients. From a pipe, each line answers the next chunk
/// in order; at the end of input nothing more is sent. Never ends the server: when input ends (a
/// closed stdin or /dev/null included) it simply stops reading.
/// </summary>
internal sealed class OperatorConsole(TcpServer server, TextReader input, TextWriter output)
{
    private int _latest;

    public async Task RunAsync(bool terminal, CancellationToken stop)
    {
        try
        {
            if (terminal)
            {
                await TerminalAsync(stop).ConfigureAwait(false);
            }
            else
            {
                await PipeAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
        catch (IOException)
        {
            // stdin cannot be read (closed, a terminal gone): serve on without an operator.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The server stopped accepting and has no more chunks to answer.
        }
        finally
        {
            // No more words will come: clients that half-closed while owed one may close now.
            server.EndWords();
        }
    }

    private async Task PipeAsync(CancellationToken stop)
    {
        var sending = new List<Task>();
        while (await input.ReadLineAsync(stop).ConfigureAwait(false) is { } line)
        {
            var id = await server.Chunks.ReadAsync(stop).ConfigureAwait(false);
            sending.RemoveAll(t => t.IsCompleted);
            sending.Add(Send(id, line));
        }

        // Every word read is delivered (or refused) before the owed ones are released.
        await Task.WhenAll(sending).ConfigureAwait(false);
    }

    private async Task TerminalAsync(CancellationToken stop)
    {
        var prompts = PromptAsync(stop);
        output.WriteLine(ConsoleCommand.Help);
        while (await input.ReadLineAsync(stop).ConfigureAwait(false) is { } line)
        {
            Execute(ConsoleCommand.Parse(line));
        }

        // Ctrl+D: no more words, so clients that half-closed while owed one may close now.
        server.EndWords();
        await prompts.ConfigureAwait(false);
    }

    private async Task PromptAsync(CancellationToken stop)
    {
        await foreach (var id in server.Chunks.ReadAllAsync(stop).ConfigureAwait(false))
        {
            Volatile.Write(ref _latest, id);
            output.WriteLine($"#{id} input the word :");
        }
    }

    private void Execute(ConsoleCommand command)
    {
        switch (command.Kind)
        {
            case ConsoleCommandKind.Word:
                var latest = Volatile.Read(ref _latest);
                if (latest == 0)
                {
                    output.WriteLine("no client has sent anything yet; /list shows who is here");
                }
                else
                {
                    _ = Send(latest, command.Text);
                }

                break;
            case ConsoleCommandKind.To:
                _ = Send(command.Id, command.Text);
                break;
            case ConsoleCommandKind.All:
                _ = ReportAllAsync(server.SendWordToAllAsync(Encoding.UTF8.GetBytes(command.Text)));
                break;
            case ConsoleCommandKind.Kick:
                output.WriteLine(server.Kick(command.Id) ? $"#{command.Id} kicked" : $"#{command.Id}: no such client");
                break;
            case ConsoleCommandKind.List:
                var clients = server.Snapshot();
                output.WriteLine(clients.Count == 0 ? "no clients" : $"{clients.Count} client(s):");
                foreach (var c in clients)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  #{c.Id} {c.Remote} since {c.Since:HH:mm:ss}, {c.BytesIn} bytes in, {c.BytesOut} bytes out"));
                }

                break;
            case ConsoleCommandKind.Help:
                output.WriteLine(ConsoleCommand.Help);
                break;
            default:
                output.WriteLine(command.Text);
                break;
        }
    }

    // Words are sent without waiting: a client that does not read must not hold up the console
    // (or, from a pipe, the words for everyone else). The server bounds how many may wait per client.
    private Task Send(int id, string text) => ReportAsync(id, server.SendWordAsync(id, Encoding.UTF8.GetBytes(text)));

    private async Task ReportAsync(int id, Task<bool> sending)
    {
        if (!await sending.ConfigureAwait(false))
        {
            output.WriteLine($"#{id}: not sent (no such client, or it is not reading)");
        }
    }

    private async Task ReportAllAsync(Task<int> sending)
    {
        var count = await sending.ConfigureAwait(false);
        output.WriteLine($"sent to {count} client(s)");
    }
}
