using System.CommandLine;
using System.Globalization;

namespace Netkit.Cli;

/// <summary>
/// What every <c>--help</c> ends with: examples for the command, what each verbosity adds, where the
/// socket options are listed, and the exit codes. The examples of all commands live here, in one
/// table, so a command's file stays about its options and the examples can be checked together
/// (every example line that starts with <c>netkit</c> must parse).
/// </summary>
internal static class HelpText
{
    // The tutorial's conversation, as a newcomer first runs it: what to type in each terminal and
    // what each prints (the server's lines go to stderr, the client's data to stdout).
    private static readonly string[] TcpConversation =
    [
        "The tutorial's conversation, in two terminals:",
        "  netkit tcp-server # terminal 1; type a word when asked",
        "  netkit tcp-client 127.0.0.1 -m hello # terminal 2",
        "terminal 1 prints:",
        "  listening on [::]:12345 (tcp)",
        "  commands: /list, /to ID TEXT, /all TEXT, /kick ID, /help; ...",
        "  info: tcp-server[1] #1 connection from 127.0.0.1:42318",
        "  info: tcp-server[2] #1 127.0.0.1:hello",
        "  #1 input the word :                     (type WORD, Enter)",
        "terminal 2 prints:",
        "  sending completed.                      (stderr)",
        "  hello                                   (stdout: the data, the ack, the word)",
        "  I get it!",
        "  WORD",
    ];

    private static readonly string[] UdpConversation =
    [
        "The tutorial's time service, in two terminals:",
        "  netkit udp-time-server # terminal 1: listening on [::]:12345 (udp)",
        "  netkit udp-time-client 127.0.0.1 # terminal 2",
        "terminal 2 prints:",
        "  waiting for a reply ......              (stderr)",
        "  Mon Aug  6 17:09:17 2012                (stdout: local time, as time.ctime)",
    ];

    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        ["netkit"] =
        [
            .. TcpConversation,
            .. UdpConversation,
            "More:",
            "  netkit tcp-server --mode echo # RFC 862 echo",
            "  netkit udp-time-client 127.0.0.1 --json",
            "  netkit sockopts # the socket options this OS has",
            "  netkit help tcp-server # the same as netkit tcp-server --help",
            "  netkit completion bash > /etc/bash_completion.d/netkit",
        ],
        ["tcp-server"] =
        [
            .. TcpConversation,
            "More:",
            "  netkit tcp-server --port 0 --reply ok # a free port (printed), the word sent automatically",
            "  netkit tcp-server < words.txt # one line of the file answers each chunk",
            "  netkit tcp-server --mode echo --max-connections 100 --idle-timeout 30s",
            "  netkit tcp-server --allow 10.0.0.0/8 --deny 10.0.0.66 --first-byte-timeout 5s",
            "  netkit tcp-server --allow 10.0.0.0/8 --acl-check 10.1.2.3 # explain a decision, then exit",
            "  netkit tcp-server --once --shutdown-timeout 200ms",
        ],
        ["tcp-client"] =
        [
            .. TcpConversation,
            "More:",
            "  netkit tcp-client # prompts: input server ip address :",
            "  netkit tcp-client example.org -p 7 < file.bin > echoed.bin # binary safe",
            "  netkit tcp-client '[::1]:7000' -i # chat: lines go out as typed; a port in the host wins",
            "  netkit tcp-client 127.0.0.1 -m hi --connect-timeout 2s --timeout 30s",
        ],
        ["udp-time-server"] =
        [
            .. UdpConversation,
            "More:",
            "  netkit udp-time-server --epoch rfc868 --tcp # what rdate reads, over UDP and TCP (rdate -p, -p -u)",
            "  netkit udp-time-server --protocol sntp --port 123 --rate-limit 2 # SNTP; Kiss-o'-Death RATE past 2/s",
            "  netkit udp-time-server --port 0 -v debug # a free port; one line per datagram",
        ],
        ["udp-time-client"] =
        [
            .. UdpConversation,
            "More:",
            "  netkit udp-time-client 127.0.0.1 --json # server time, offset, round trip",
            "  netkit udp-time-client time.example --epoch rfc868 --tcp --timeout 500ms # RFC 868 over TCP, as rdate -p",
            "  netkit udp-time-client ntp.example --protocol sntp --count 4 --interval 15s --max-offset 100ms # a check: exit 8",
            "  netkit udp-time-client 192.168.1.255 --broadcast # one line per responder",
        ],
        ["sockopts"] =
        [
            "  netkit sockopts # option, level, the flag that sets it, TCP and UDP defaults",
            "  netkit sockopts --json",
        ],
        ["help"] =
        [
            "  netkit help # the same as netkit --help",
            "  netkit help tcp-server # the same as netkit tcp-server --help",
        ],
        ["completion"] =
        [
            "  netkit completion bash > /etc/bash_completion.d/netkit # or: source <(netkit completion bash)",
            "  netkit completion zsh > \"${fpath[1]}/_netkit\" # or: source <(netkit completion zsh)",
            "  netkit completion fish > ~/.config/fish/completions/netkit.fish",
            "  netkit completion pwsh >> $PROFILE",
        ],
    };

    private static readonly string[] VerbosityLevels =
    [
        "Verbosity (-v, on stderr):",
        "  quiet     warnings and errors only",
        "  normal    connections, the tutorial's chunks, summaries (the default)",
        "  detailed  also connection attempts, retries, unanswered queries, counts every 10s",
        "  debug     also a line per datagram (answered, dropped or ignored) and per echoed chunk",
    ];

    private const int CommentColumn = 48;

    /// <summary>The example lines of the command named <paramref name="name"/> (<c>netkit</c> for the root).</summary>
    public static IReadOnlyList<string> ExamplesOf(string name) => Examples.TryGetValue(name, out var lines) ? lines : [];

    /// <summary>Writes the end of <paramref name="command"/>'s help to <paramref name="output"/>.</summary>
    public static void WriteEpilogue(Command command, TextWriter output)
    {
        var name = command is RootCommand ? "netkit" : command.Name;
        if (ExamplesOf(name) is { Count: > 0 } examples)
        {
            output.WriteLine("Examples:");
            // Comments line up, except after a command too long to leave room for them.
            var width = 0;
            foreach (var example in examples)
            {
                if (example.IndexOf(" # ", StringComparison.Ordinal) is var column and > 0 and <= CommentColumn)
                {
                    width = Math.Max(width, column);
                }
            }

            foreach (var line in examples)
            {
                var comment = line.IndexOf(" # ", StringComparison.Ordinal);
                output.WriteLine("  " + (comment > 0 && comment <= width ? line[..comment].PadRight(width + 1) + line[comment..] : line));
            }

            output.WriteLine();
        }

        foreach (var line in VerbosityLevels)
        {
            output.WriteLine(line);
        }

        output.WriteLine();
        output.WriteLine("Socket options: netkit sockopts lists the ones this OS supports, their defaults and the flag that sets each.");
        output.WriteLine();
        output.WriteLine("Exit codes:");
        foreach (var (code, meaning) in ExitCode.Meanings)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {code,3} {meaning}"));
        }

        output.WriteLine();
        output.WriteLine("netkit help COMMAND shows a command's help; netkit completion bash|zsh|fish|pwsh prints a completion script.");
    }
}
