using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Netkit.EndToEnd;

/// <summary>
/// Errors that say what actually went wrong, in one line, with the exit code a script can act on:
/// the errno behind a socket option, the rule behind an access decision, the peer behind a reset,
/// an ICMP refusal taken at once, and an inactivity timeout that never cuts a flowing upload.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class ErrorReportTests(NetkitBinary netkit)
{
    [SkippableTheory]
    [InlineData("tcp-client", "127.0.0.1", "-m", "hi")]
    [InlineData("tcp-server", "--port", "0")]
    [InlineData("udp-time-client", "127.0.0.1")]
    public async Task BindDeviceToAMissingInterface_SaysNoSuchDevice_Exits2(params string[] arguments)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SO_BINDTODEVICE exists on Linux only");
        using var process = netkit.Start([.. arguments, "--bind-device", "nosuch0"]);
        process.CloseStdin();

        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.Equal("netkit: error: --bind-device nosuch0: no such device", ErrorLine(process.Stderr));
    }

    [SkippableFact]
    public async Task BindDeviceNameLongerThanTheKernelTakes_SaysTheLimit_Exits2()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SO_BINDTODEVICE exists on Linux only");
        using var process = netkit.Start("tcp-client", "127.0.0.1", "-m", "hi", "--bind-device", "sixteen-letters!");
        process.CloseStdin();

        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.Equal("netkit: error: --bind-device sixteen-letters!: not an interface name (at most 15 bytes)", ErrorLine(process.Stderr));
    }

    [SkippableTheory]
    [InlineData("tcp-server", "10.1.2.3", 5, "10.1.2.3: denied by --deny 10.0.0.0/8")]
    [InlineData("tcp-server", "127.0.0.1", 0, "127.0.0.1: allowed by --allow 127.0.0.0/8")]
    [InlineData("udp-time-server", "192.0.2.1", 5, "192.0.2.1: denied: no --allow matched (--allow 127.0.0.0/8)")]
    public async Task AclCheck_NamesTheRuleThatDecides(string command, string address, int exit, string line)
    {
        using var process = netkit.Start(command, "--allow", "127.0.0.0/8", "--deny", "10.0.0.0/8", "--acl-check", address);
        process.CloseStdin();

        Assert.Equal(exit, await process.WaitForExitAsync());
        Assert.Equal(line + "\n", process.Stdout);
    }

    [SkippableFact]
    public async Task UdpTimeQueryToAPortNobodyListensOn_IsRefusedAtOnce_Exits1()
    {
        // Nothing bound there: the kernel answers the request with ICMP port-unreachable. The wait
        // allowed for the exit is half of the first --timeout, so only that answer can end it in time.
        var port = LocalPorts.FreeUdp();
        using var client = netkit.Start("udp-time-client", "127.0.0.1", "--port", Invariant(port), "--timeout", "20s", "--retries", "3");
        client.CloseStdin();

        Assert.Equal(1, await client.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal($"netkit: error: receive from 127.0.0.1:{port}: connection refused", ErrorLine(client.Stderr));
    }

    [SkippableFact]
    public async Task ResetInChatMode_NamesThePeer_Exits1()
    {
        using var listener = Loopback.Listen(out var port);
        var resetting = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await Loopback.ReadExactlyAsync(peer, "hi\n".Length);
            peer.LingerState = new LingerOption(true, 0); // the close is a reset
        });

        // stdin stays open, as a person who could still type: nothing was left undelivered.
        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "-i");
        client.Write("hi\n");
        await resetting.WaitAsync(RunningProcess.DefaultTimeout);

        Assert.Equal(1, await client.WaitForExitAsync());
        Assert.Equal($"netkit: error: receive from 127.0.0.1:{port}: connection reset by peer", ErrorLine(client.Stderr));
    }

    [SkippableTheory]
    [InlineData(8 << 20, 256, "64k")] // a send blocked on full buffers while the server reads
    [InlineData(1 << 20, 32, null)]   // all of it sits in the kernel: "sending completed." at once, then 3 s of draining
    public async Task UploadThatKeepsFlowing_ToAServerThatNeverAnswers_IsNotCutByTimeout(int size, int kibPerTick, string? sendBuffer)
    {
        // Drained at kibPerTick KiB every 100 ms (8 MiB at 2.5 MB/s through small buffers; 1 MiB at
        // 320 KB/s out of the client's send buffer, after its last write completed): some 3 s of
        // upload with not a byte back, against --timeout 1s. Only silence in both directions may end it.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var draining = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var buffer = new byte[64 * 1024];
            long total = 0;
            while (await pace.WaitForNextTickAsync(bound.Token))
            {
                // kibPerTick KiB per tick, in as many reads as the small receive buffer needs.
                for (var taken = 0; taken < kibPerTick * 1024;)
                {
                    var n = await peer.ReceiveAsync(buffer, SocketFlags.None, bound.Token);
                    if (n == 0)
                    {
                        return total; // our close tells the client the conversation is over
                    }

                    taken += n;
                    total += n;
                }
            }

            return total;
        });

        using var client = netkit.Start(["tcp-client", "127.0.0.1", "--port", Invariant(port), "--timeout", "1s", .. (sendBuffer is null ? Array.Empty<string>() : ["--send-buffer", sendBuffer])]);
        var feeding = Task.Run(() =>
        {
            client.Write(new byte[size]);
            client.CloseStdin();
        });

        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await feeding.WaitAsync(RunningProcess.DefaultTimeout);
        Assert.Equal(size, await draining.WaitAsync(RunningProcess.DefaultTimeout));
        Assert.Empty(client.StdoutBytes);
    }

    /// <summary>The one error line (a client's tutorial prompt may come before it), and no stack trace.</summary>
    [SkippableFact]
    public async Task NoDevNull_AsInABareChroot_WithStdinClosed_StillRuns()
    {
        // A chroot or sandbox without /dev: netkit fills closed standard descriptors with /dev/null
        // first, and died there with an unhandled exception (exit 134) before doing anything.
        Skip.IfNot(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "an empty /dev of our own needs root (unshare -m)");
        var unshare = Toolchain.Require("unshare");
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--host", "127.0.0.1", "--port", "0");
        using (server)
        {
            const string Script = """
                mount -t tmpfs none /dev || exit 90
                exec "$0" udp-time-client 127.0.0.1 --port "$1" --json <&-
                """;
            using var run = RunningProcess.Start(unshare, ["-m", "sh", "-c", Script, netkit.Path, Invariant(port)]);
            run.CloseStdin();
            var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Skip.If(code == 90, "cannot mount a tmpfs here");
            Assert.True(code == 0, $"exit {code}: {run.Stderr}");
            Assert.StartsWith("{\"server\":\"127.0.0.1:", run.Stdout, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task NoDevNull_StdinAndStdoutClosed_TheyAreFilledWithReadOnlyPlaceholders_NotTheRuntimesSignalPipe()
    {
        // Without /dev/null the closed descriptors stayed closed, and the runtime's signal pipe took
        // 0 and 1: stdout was its write end, so bytes a peer sent reached the signal handling
        // (0x0f 0x0f ended a tcp-client with 130). Now each is a read-only placeholder.
        Skip.IfNot(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "an empty /dev of our own needs root (unshare -m)");
        var unshare = Toolchain.Require("unshare");
        // unshare and sh exec netkit: it keeps the process id, so its descriptors are in /proc/ID.
        const string Script = """mount -t tmpfs none /dev || exit 90; exec "$0" tcp-server --host 127.0.0.1 --port 0 <&- >&-""";
        using var server = RunningProcess.Start(unshare, ["-m", "sh", "-c", Script, netkit.Path]);
        server.CloseStdin();
        await server.WaitForStderrAsync(new Regex(@"listening on \S+ \(tcp\)"), TimeSpan.FromSeconds(20));
        var flags = new[] { 0, 1 }.Select(fd => File.ReadAllLines($"/proc/{server.Id}/fdinfo/{fd}")
            .Single(l => l.StartsWith("flags:", StringComparison.Ordinal))["flags:".Length..].Trim()).ToList();
        await server.SignalAsync("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.All(flags, f => Assert.True((Convert.ToInt32(f, 8) & 3) == 0, $"fd flags {f} (octal) are not read-only: {string.Join(", ", flags)}"));
    }

    private static string ErrorLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
        return Assert.Single(lines, l => l.Contains("error", StringComparison.OrdinalIgnoreCase));
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
