using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Netkit.Commands;
using Netkit.Output;
using Netkit.Parsing;

namespace Netkit.Cli;

/// <summary>The command tree, and the one place where parse errors become a single line and exit code 2.</summary>
internal static class NetkitCli
{
    /// <summary>No response files: an argument that starts with '@' is that text (a message, a word,
    /// a host), never the name of a file whose contents become arguments.</summary>
    public static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Build()
    {
        var root = new RootCommand(
            "netkit: TCP and UDP time servers and clients in one native binary, compatible with the classic socket tutorial. " +
            "Durations take units (250ms, 2s, 1m). stdout carries data only; logs and prompts go to stderr.")
        {
            CommonOptions.Verbosity,
            CommonOptions.LogFormat,
            TcpServerCommand.Create(),
            TcpClientCommand.Create(),
            UdpTimeServerCommand.Create(),
            UdpTimeClientCommand.Create(),
            SockoptsCommand.Create(),
            CompletionCommand.Create(),
        };
        root.Add(HelpCommand.Create([.. root.Subcommands.Select(c => c.Name), "help"]));
        HelpWithEpilogueAction.Install(root);
        return root;
    }

    /// <param name="args">The command line.</param>
    /// <param name="output">stdout (buffered text is flushed here, so its failure has one exit code).</param>
    /// <param name="error">stderr.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build();

        // Known before parsing, so that a usage error is written in the format asked for.
        var status = new StatusWriter(error, Logging.ScanFormat(args), TimeProvider.System);

        // With nothing asked, show what can be asked.
        ParseResult result;
        try
        {
            result = root.Parse(args.Length == 0 ? ["--help"] : args, Parsing);
        }
        catch (InvalidOperationException e)
        {
            // A parser fault must still read as a usage error, never as a stack trace.
            return CommandHost.Fail(status, e.Message, ExitCode.Usage);
        }

        if (result.Errors.Count == 0)
        {
            // Parsed: what the parser read beats the scan (`-m --log-format` is a message).
            status = new StatusWriter(error, Logging.ParseFormat(result.GetValue(CommonOptions.LogFormat)), TimeProvider.System);
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // CommandHost handles SIGINT/SIGTERM itself.
        };

        // --version ends the parse, and the parser then drops what follows without an error:
        // `netkit --version extra` (or `--version --help`, `--version --version`) must not read as a success.
        if (result.Tokens.Count > 1 && IsVersion(result.Tokens[0]))
        {
            return CommandHost.Fail(status, "--version takes no other arguments (see 'netkit --help')", ExitCode.Usage);
        }

        if ((result.Errors.Count > 0 || result.UnmatchedTokens.Count > 0) && result.Action is not (HelpAction or HelpWithEpilogueAction))
        {
            var where = result.CommandResult.Command is RootCommand ? "netkit" : "netkit " + result.CommandResult.Command.Name;
            return CommandHost.Fail(status, $"{Describe(result)} (see '{where} --help')", ExitCode.Usage);
        }

        try
        {
            var code = await result.InvokeAsync(configuration).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
            return code;
        }
        catch (OutputException e)
        {
            // --help, --version and sockopts write stdout outside any command host.
            return CommandHost.OutputFailed(status, e);
        }
    }

    // Only the root has --version, so it is the first token when it is given at all (a later
    // "--version" is an argument's value, `-m --version`, or an unknown option).
    private static bool IsVersion(System.CommandLine.Parsing.Token token) =>
        token.Type == System.CommandLine.Parsing.TokenType.Option && token.Value == "--version";

    // The most telling parse error, on one line and in netkit's words: an unknown word beats
    // "command not provided", which is only its consequence; the parser's own English is replaced.
    private static string Describe(ParseResult result)
    {
        // An option nobody knows that took the place of a host argument ("tcp-client --host ::1").
        if (result.Errors.FirstOrDefault(e => e.Message.StartsWith("unknown option", StringComparison.Ordinal)) is { } unknown)
        {
            return unknown.Message;
        }

        if (result.UnmatchedTokens.Count > 0)
        {
            var token = result.UnmatchedTokens[0];
            return token.StartsWith('-') && token.Length > 1
                ? $"unknown option {Echo.Quote(token)}"
                : result.CommandResult.Command is RootCommand root
                    ? $"unknown command {Echo.Quote(token)} (commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))})"
                    : $"unexpected argument {Echo.Quote(token)}";
        }

        var error = result.Errors[0];
        var message = error.SymbolResult switch
        {
            OptionResult { Tokens.Count: 0 } o when o.Option.Arity.MinimumNumberOfValues > 0 => $"{o.Option.Name}: a value is required",
            OptionResult o when o.Tokens.Count > 1 && o.Option.Arity.MaximumNumberOfValues == 1 => $"{o.Option.Name} is given more than once",
            OptionResult { Option: VersionOption } => "--version takes no other arguments",
            ArgumentResult { Tokens.Count: 0 } a => $"{a.Argument.Name}: a value is required",
            CommandResult c when c.Command.Subcommands.Count > 0 && c.Command.Action is null
                => $"a command is required: {string.Join(", ", c.Command.Subcommands.Select(s => s.Name))}",
            _ => error.Message,
        };
        return string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
