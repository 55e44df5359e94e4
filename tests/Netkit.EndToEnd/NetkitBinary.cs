using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// The netkit executable under test, shared by every end-to-end test (an xunit collection
/// fixture). <c>NETKIT_BIN</c> names a binary to test as is (a release artifact, say; CI tests the
/// Native AOT binary this way); otherwise the Native AOT binary is published once into
/// <c>artifacts/e2e/linux-x64</c> of the repository. Native AOT needs clang: without it the
/// framework-dependent build (<c>netkit</c> beside <c>netkit.dll</c>, run by the .NET runtime) is
/// published into <c>artifacts/e2e/jit</c> instead, so a machine with only the .NET SDK still runs
/// the whole suite. A failed publish fails the tests.
/// </summary>
public sealed partial class NetkitBinary
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    // Published at most once per test run, whichever collection asks first.
    private static readonly Lazy<(string? Path, string? Problem)> Located = new(Locate);

    /// <summary>False for the framework-dependent build (no clang): it starts slower and its runtime
    /// (the JIT) takes more memory, so memory bounds allow for it.</summary>
    public bool IsNative => Located.Value.Path is { } path && !File.Exists(System.IO.Path.ChangeExtension(path, ".dll"));

    /// <summary>
    /// True when <c>NETKIT_EMULATOR</c> is set: NETKIT_BIN is a wrapper that runs another
    /// architecture's binary under an emulator (build/test-arm64.sh: the linux-arm64 binary under
    /// qemu-user), so a process's resident memory includes the emulator's own.
    /// </summary>
    public static bool IsEmulated => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NETKIT_EMULATOR"));

    /// <summary>
    /// What the JIT runtime adds to a process's resident memory over the native binary; under an
    /// emulator, what an idle server measures (qemu-user's translation cache, about 330 MiB), so a
    /// bound still limits what netkit itself grows by.
    /// </summary>
    public long RuntimeAllowanceKiB => IsEmulated ? EmulatorBaselineKiB.Value : IsNative ? 0 : 64 * 1024;

    // Measured once per test run, on the first bound that needs it.
    private static readonly Lazy<long> EmulatorBaselineKiB = new(() =>
    {
        using var server = RunningProcess.Start(Located.Value.Path!, ["tcp-server", "--port", "0", "--host", "127.0.0.1", "-v", "quiet"]);
        server.WaitForStderrAsync(ListeningLine()).GetAwaiter().GetResult();
        return RssKiB(server.Id);
    });

    /// <summary>VmRSS of a process, from /proc (Linux).</summary>
    public static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Path of the binary; skips (or fails on CI) the calling test when there is none.</summary>
    public string Path
    {
        get
        {
            var (path, problem) = Located.Value;
            if (path is null)
            {
                Toolchain.Unavailable(problem!);
            }

            return path!;
        }
    }

    /// <summary>Starts netkit with <paramref name="arguments"/>; stdin stays open until closed.</summary>
    public RunningProcess Start(params string[] arguments) => RunningProcess.Start(Path, arguments);

    /// <summary>Starts netkit with stderr a pipe nobody reads until <see cref="RunningProcess.ReadStderr"/>.</summary>
    public RunningProcess StartWithStderrUnread(params string[] arguments) => RunningProcess.Start(Path, arguments, stderrUnread: true);

    /// <summary>Runs <paramref name="script"/> with <c>/bin/sh -c</c>, netkit's path as <c>$0</c> (so
    /// <c>"$0" --help &gt;/dev/full</c>): redirections as a user types them.</summary>
    public RunningProcess StartShell(string script, params string[] arguments) => RunningProcess.Start("/bin/sh", ["-c", script, Path, .. arguments]);

    /// <summary>
    /// Starts a netkit server (give it <c>--port 0</c>) and waits for its status line,
    /// <c>listening on [::]:40123 (tcp)</c>; returns the process and the port it reported.
    /// </summary>
    public async Task<(RunningProcess Server, int Port)> StartServerAsync(params string[] arguments)
    {
        var server = Start(arguments);
        try
        {
            var match = await server.WaitForStderrAsync(ListeningLine());
            return (server, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private static (string? Path, string? Problem) Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NETKIT_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            // Asked for explicitly, so a wrong path is a mistake to report, never a reason to skip.
            if (!File.Exists(fromEnvironment))
            {
                Assert.Fail($"NETKIT_BIN={fromEnvironment} does not exist");
            }

            return (System.IO.Path.GetFullPath(fromEnvironment), null);
        }

        var root = FindRepositoryRoot();
        if (root is null)
        {
            return (null, $"no netkit.sln above {AppContext.BaseDirectory}");
        }

        // No clang, no Native AOT: the same program on the JIT runtime tests the whole command line
        // (NETKIT_E2E_BUILD=jit asks for it where clang is installed).
        var native = Toolchain.Find("clang") is not null && Environment.GetEnvironmentVariable("NETKIT_E2E_BUILD") != "jit";
        var output = System.IO.Path.Combine(root, "artifacts", "e2e", native ? "linux-x64" : "jit");
        if (!native)
        {
            FindRuntimeForAppHost();
        }

        var log = Publish(root, output, native, out var succeeded);
        var binary = System.IO.Path.Combine(output, "netkit");
        if (!succeeded || !File.Exists(binary))
        {
            return (null, $"dotnet publish failed:\n{log}");
        }

        return (binary, null);
    }

    internal static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "netkit.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    // The framework-dependent netkit finds the runtime through DOTNET_ROOT when dotnet is not in a
    // standard place (~/.dotnet, say); the dotnet running these tests is the one to use.
    private static void FindRuntimeForAppHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 })
        {
            return;
        }

        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Toolchain.Find("dotnet");
        if (host is not null && System.IO.Path.GetDirectoryName(new FileInfo(host).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? host) is { } directory)
        {
            Environment.SetEnvironmentVariable("DOTNET_ROOT", directory);
        }
    }

    private static string Publish(string root, string output, bool native, out bool succeeded)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "publish", System.IO.Path.Combine("src", "Netkit", "Netkit.csproj"),
                "-c", "Release", "-o", output, "-nologo",
            },
        };
        foreach (var argument in native ? new[] { "-r", "linux-x64" } : ["-p:PublishAot=false"])
        {
            info.ArgumentList.Add(argument);
        }

        // `dotnet test` hands MSBuild's own settings to the test host; a nested build must not
        // inherit them, or it resolves SDKs and tasks from the outer build.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet publish");
        var log = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(PublishTimeout))
        {
            process.Kill(entireProcessTree: true);
            succeeded = false;
            return $"timed out after {PublishTimeout}";
        }

        log.Append(stdout.Result).Append(stderr.Result);
        succeeded = process.ExitCode == 0;

        // The tail is where MSBuild puts the errors that matter.
        var lines = log.ToString().Split('\n');
        return string.Join('\n', lines.TakeLast(40));
    }

    [GeneratedRegex(@"listening on (\S+):(\d+)")]
    private static partial Regex ListeningLine();
}
