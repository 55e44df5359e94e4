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
        while (await input.ReadLineAsync(stop).ConfigureAwait(false) is { } line)
        {
            var id = await server.Chunks.ReadAsync(stop).ConfigureAwait(false);
            await server.SendWordAsync(id, Encoding.UTF8.GetBytes(line)).ConfigureAwait(false);
        }
    }

    private async Task TerminalAsync(CancellationToken stop)
    {
        var prompts = PromptAsync(stop);
        output.WriteLine(ConsoleCommand.Help);
        while (await input.ReadLineAsync(stop).ConfigureAwait(false) is { } line)
        {
            await ExecuteAsync(ConsoleCommand.Parse(line)).ConfigureAwait(false);
        }

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

    private async Task ExecuteAsync(ConsoleCommand command)
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
                    await Send(latest, command.Text).ConfigureAwait(false);
                }

                break;
            case ConsoleCommandKind.To:
                await Send(command.Id, command.Text).ConfigureAwait(false);
                break;
            case ConsoleCommandKind.All:
                var count = await server.SendWordToAllAsync(Encoding.UTF8.GetBytes(command.Text)).ConfigureAwait(false);
                output.WriteLine($"sent to {count} client(s)");
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

    private async Task Send(int id, string text)
    {
        if (!await server.SendWordAsync(id, Encoding.UTF8.GetBytes(text)).ConfigureAwait(false))
        {
            output.WriteLine($"#{id}: no such client");
        }
    }
}
