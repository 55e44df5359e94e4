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
}
