using System.CommandLine;
using Microsoft.Extensions.Logging;
using Netkit.Output;

namespace Netkit.Cli;

/// <summary><c>--hexdump</c> and <c>--transcript FILE</c>, for tcp-server and tcp-client alike (see <see cref="Transcript"/>).</summary>
internal sealed class TranscriptOptionSet
{
    private static readonly TimeSpan FinishBound = TimeSpan.FromSeconds(5);
    private readonly Option<bool> _hexdump = CommonOptions.Flag("--hexdump", "Show every byte in and out on stderr, as hexdump -C does, a block per chunk under '#ID < N bytes' (< in, > out).");
    private readonly Option<string?> _file = CommonOptions.Text("--transcript", "Write every chunk in and out to FILE (created or truncated): a line each, 'UTC-TIME #ID <|> LENGTH HEX', binary safe; the > lines are what the kernel took.", "file");

    public TranscriptOptionSet(Command command)
    {
        command.Add(_hexdump);
        command.Add(_file);
    }

    /// <summary>The tap asked for, or null; a file that cannot be created is a usage error.</summary>
    private Transcript? Open(ParseResult r, CommandContext context)
    {
        var path = r.GetValue(_file);
        try
        {
            return Transcript.Open(r.GetValue(_hexdump), path, context.Status, TimeProvider.System);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Our own IOException says why in words; the runtime's (with resource keys for messages) do not.
            var why = e.GetType() == typeof(IOException) ? e.Message : "it cannot be opened for writing";
            throw new UsageException($"--transcript {Parsing.Echo.Quote(path)}: cannot create it: {why}");
        }
    }

    /// <summary>Runs <paramref name="serve"/> with the tap asked for (or null), then writes out its last lines and says what it lost.</summary>
    public async Task<int> RunAsync(ParseResult r, CommandContext context, Func<Transcript?, Task<int>> serve)
    {
        var transcript = Open(r, context);
        try
        {
            return await serve(transcript).ConfigureAwait(false);
        }
        finally
        {
            Finish(transcript, context);
        }
    }

    /// <summary>Writes out the transcript's last lines; says how many it lost, if any.</summary>
    private static void Finish(Transcript? transcript, CommandContext context)
    {
        if (transcript?.Finish(FinishBound) is { } lost)
        {
            context.Status.Write(LogLevel.Warning, "TranscriptLost", lost);
        }
    }
}
