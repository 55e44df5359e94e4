namespace Netkit.EndToEnd;

/// <summary>Help and version: what a newcomer sees first.</summary>
[Collection(NetkitCollection.Name)]
public sealed class HelpTests(NetkitBinary netkit)
{
    private static readonly string[] Commands = ["tcp-server", "tcp-client", "udp-time-server", "udp-time-client", "sockopts"];

    [SkippableFact]
    public async Task NoArguments_PrintsHelp()
    {
        using var process = netkit.Start();
        process.CloseStdin();

        var exitCode = await process.WaitForExitAsync();

        Assert.True(exitCode is 0 or 2, $"exit code {exitCode}");
        var help = process.Stdout + process.Stderr;
        Assert.Contains("Usage", help, StringComparison.OrdinalIgnoreCase);
        Assert.All(Commands, command => Assert.Contains(command, help, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task HelpOption_ListsCommandsAndExitCodesOnStdout()
    {
        using var process = netkit.Start("--help");
        process.CloseStdin();

        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.All(Commands, command => Assert.Contains(command, process.Stdout, StringComparison.Ordinal));

        // SPEC: exit codes are documented in --help.
        Assert.Contains("130", process.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task VersionOption_PrintsAVersion()
    {
        using var process = netkit.Start("--version");
        process.CloseStdin();

        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Matches(@"\d+\.\d+\.\d+", process.Stdout);
    }

    public static TheoryData<string> EveryCommand => ["", "tcp-server", "tcp-client", "udp-time-server", "udp-time-client", "sockopts", "help", "completion"];

    // Issue 9: help that teaches. Each ends with examples, the exit codes and where the socket options are.
    [SkippableTheory]
    [MemberData(nameof(EveryCommand))]
    public async Task EveryHelp_EndsWithExamplesExitCodesAndSockopts(string command)
    {
        using var process = netkit.Start(command.Length == 0 ? ["--help"] : [command, "--help"]);
        process.CloseStdin();

        Assert.Equal(0, await process.WaitForExitAsync());
        var help = process.Stdout;
        var examples = help.IndexOf("\nExamples:\n", StringComparison.Ordinal);
        Assert.True(examples > 0, help);
        var end = help[examples..];
        Assert.Contains(command.Length == 0 ? "netkit tcp-server" : "netkit " + command, end, StringComparison.Ordinal);
        Assert.Contains("netkit sockopts", end, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+0 ok[^\n]*\n\s+1 network error[\s\S]*\n\s+7 cannot write output[^\n]*\n\s+8 clock offset beyond --max-offset[^\n]*\n\s+130 interrupted", end);
        Assert.Matches(@"\n\s+detailed +also connection attempts[^\n]*\n\s+debug +also a line per datagram", end);
        Assert.Equal("", process.Stderr);
    }

    [SkippableTheory]
    [InlineData("tcp-server")]
    [InlineData("tcp-client")]
    public async Task TcpHelp_ShowsTheTutorialsConversationAndWhatEachSidePrints(string command)
    {
        using var process = netkit.Start(command, "--help");
        process.CloseStdin();

        Assert.Equal(0, await process.WaitForExitAsync());
        var examples = process.Stdout[process.Stdout.IndexOf("Examples:", StringComparison.Ordinal)..];
        Assert.Matches(@"\n\s+netkit tcp-server\s+# terminal 1", examples);
        Assert.Matches(@"\n\s+netkit tcp-client 127\.0\.0\.1 -m hello\s+# terminal 2", examples);
        Assert.Contains("listening on [::]:12345 (tcp)", examples, StringComparison.Ordinal);
        Assert.Contains("#1 127.0.0.1:hello", examples, StringComparison.Ordinal);
        Assert.Contains("#1 input the word :", examples, StringComparison.Ordinal);
        Assert.Contains("sending completed.", examples, StringComparison.Ordinal);
        Assert.Contains("I get it!", examples, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("tcp-server")]
    [InlineData("udp-time-client")]
    [InlineData("completion")]
    public async Task HelpCommand_PrintsWhatTheHelpOptionPrints(string command)
    {
        using var viaOption = netkit.Start(command, "--help");
        using var viaCommand = netkit.Start("help", command);
        viaOption.CloseStdin();
        viaCommand.CloseStdin();

        Assert.Equal(0, await viaOption.WaitForExitAsync());
        Assert.Equal(0, await viaCommand.WaitForExitAsync());
        Assert.Contains("Examples:", viaCommand.Stdout, StringComparison.Ordinal);
        Assert.Equal(viaOption.Stdout, viaCommand.Stdout);
    }

    [SkippableFact]
    public async Task HelpCommand_OfAnUnknownCommand_IsOneUsageLine()
    {
        using var process = netkit.Start("help", "tcp-sever");
        process.CloseStdin();

        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.Equal("", process.Stdout);
        var line = Assert.Single(process.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("netkit: error: help: unknown command 'tcp-sever' (commands: tcp-server, tcp-client,", line, StringComparison.Ordinal);
    }

    // The script bash gets, loaded as a user's ~/.bashrc would, driven as bash's completion does.
    [SkippableFact]
    public async Task BashCompletion_CompletesSubcommandsOptionsAndTheirValues()
    {
        var bash = Toolchain.Require("bash");
        const string script = """
            source <("$0" completion bash) || exit 9
            complete -p netkit
            c() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _netkit_complete; echo "[${COMPREPLY[*]}]"; }
            c netkit tcp-s
            c netkit tcp-server --max-c
            c netkit tcp-server --mode ''
            c netkit udp-time-client 127.0.0.1 --epoch r
            c netkit -v de
            c netkit tcp-server --mode = e
            c netkit completion ''
            c netkit tcp-server --port ''
            """;
        using var process = RunningProcess.Start(bash, ["-c", script, netkit.Path]);
        process.CloseStdin();

        Assert.True(await process.WaitForExitAsync() == 0, process.Stderr);
        Assert.Equal(
            [
                "complete -F _netkit_complete netkit",
                "[tcp-server]",
                "[--max-connections]",
                "[echo seed]",
                "[rfc868]",
                "[debug detailed]",
                "[echo]",
                "[bash fish pwsh zsh]",
                "[]",
            ],
            process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", process.Stderr);
    }

    [SkippableFact]
    public async Task FishCompletion_CompletesSubcommandsOptionsAndTheirValues()
    {
        var fish = Toolchain.Require("fish");
        const string script = """
            $argv[1] completion fish | source; or exit 9
            complete -C 'netkit tcp-s'
            complete -C 'netkit tcp-server --max-c'
            complete -C 'netkit tcp-server --mode '
            complete -C 'netkit udp-time-client 127.0.0.1 --epoch r'
            """;
        using var process = RunningProcess.Start(fish, ["--no-config", "-c", script, netkit.Path]);
        process.CloseStdin();

        Assert.True(await process.WaitForExitAsync() == 0, process.Stderr);
        var names = process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]);
        Assert.Equal(["tcp-server", "--max-connections", "echo", "seed", "rfc868"], names);
        Assert.Equal("", process.Stderr);
    }

    // zsh's completion builtins work only inside its line editor, so here compadd and _describe are
    // functions that print what the script hands them: this checks the script's own logic (which
    // command, which word before the cursor, which candidates), and that zsh parses it.
    [SkippableFact]
    public async Task ZshCompletion_OffersTheCandidatesOfEachPosition()
    {
        var zsh = Toolchain.Require("zsh");
        const string script = """
            compdef() { print -r -- "compdef $*" }
            compadd() { print -r -- "values: ${(P)2}" }
            _describe() { local -a d; d=("${(@P)4}"); print -r -- "described: ${d[@]%%:*}" }
            _message() { print -r -- "message: $1" }
            source <("$0" completion zsh) || exit 9
            t() { words=("$@"); CURRENT=$#; _netkit }
            t netkit tcp-s
            t netkit tcp-server --mode ''
            t netkit udp-time-client 127.0.0.1 --epoch ''
            t netkit tcp-server --port ''
            """;
        using var process = RunningProcess.Start(zsh, ["-f", "-c", script, netkit.Path]);
        process.CloseStdin();

        Assert.True(await process.WaitForExitAsync() == 0, process.Stderr);
        var lines = process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("compdef _netkit netkit", lines[0]);
        Assert.StartsWith("described: tcp-server tcp-client udp-time-server udp-time-client sockopts", lines[1], StringComparison.Ordinal);
        Assert.Equal(["values: echo seed", "values: auto rfc868 unix", "message: a value"], lines[2..]);
        Assert.Equal("", process.Stderr);
    }

    [SkippableFact]
    public async Task PwshCompletion_IsProduced()
    {
        using var process = netkit.Start("completion", "pwsh");
        process.CloseStdin();

        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("Register-ArgumentCompleter -Native -CommandName netkit", process.Stdout, StringComparison.Ordinal);
        Assert.Contains("'--mode' = @('echo', 'seed')", process.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ReadmeSizeFigure_IsThisBinarys()
    {
        // The README's Performance table gives the stripped linux-x64 binary's size in bytes; it went
        // stale once (issue 14). Within 1 %: the release build links another glibc's crt files.
        Skip.IfNot(netkit.IsNative && !NetkitBinary.IsEmulated && OperatingSystem.IsLinux()
            && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64,
            "the README gives the native linux-x64 binary's size");
        var root = NetkitBinary.FindRepositoryRoot();
        Skip.If(root is null, "no repository (netkit.sln) above the tests");
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var row = System.Text.RegularExpressions.Regex.Match(readme, @"\| binary size \(stripped, linux-x64\) \|[^|\n]*?(\d[\d,]*) bytes");
        Assert.True(row.Success, "README.md has no '| binary size (stripped, linux-x64) | N bytes ...' row");
        var stated = long.Parse(row.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
        var actual = new FileInfo(netkit.Path).Length;
        Assert.True(Math.Abs(actual - stated) <= stated / 100,
            FormattableString.Invariant($"README.md says {stated:N0} bytes; {netkit.Path} is {actual:N0}: update the Performance table"));
    }
}
