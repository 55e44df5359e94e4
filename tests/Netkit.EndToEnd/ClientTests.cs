using System.Globalization;
using System.Net.Sockets;
using System.Text;
namespace Netkit.EndToEnd;

/// <summary>tcp-client when the server, not the user, ends a direction of the conversation.</summary>
[Collection(NetkitCollection.Name)]
public sealed class ClientTests(NetkitBinary netkit)
{
    private static readonly byte[] Banner = "220 ready, send your upload\r\n"u8.ToArray();

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServerHalfClosesFirst_ClientStillDeliversAllOfStdin(bool stdinIsFile)
    {
        // An upload sink: banner, SHUT_WR, then read everything. The server's FIN ends only the
        // direction towards us; what is on stdin must still arrive, byte for byte.
        var upload = new byte[10 << 20];
        new Random(8).NextBytes(upload);
        using var listener = Loopback.Listen(out var port);
        var sink = SinkAsync(listener);

        var input = stdinIsFile ? Path.GetTempFileName() : null;
        try
        {
            RunningProcess client;
            if (input is not null)
            {
                await File.WriteAllBytesAsync(input, upload);
                client = RunningProcess.Start("/bin/sh", ["-c", "f=$1; shift; exec \"$@\" < \"$f\"", "sh", input, netkit.Path, "tcp-client", "127.0.0.1", "--port", Invariant(port)]);
            }
            else
            {
                client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port));
            }

            using (client)
            {
                var feeding = input is null ? Task.Run(() => Feed(client, upload)) : Task.FromResult(true);
                Assert.Equal(0, await client.WaitForExitAsync());
                var received = await sink.WaitAsync(RunningProcess.DefaultTimeout);
                Assert.True(await feeding.WaitAsync(RunningProcess.DefaultTimeout), $"the client stopped reading stdin; {received.Length} of {upload.Length} bytes arrived");
                Assert.Equal(upload.Length, received.Length);
                Assert.True(upload.AsSpan().SequenceEqual(received), "the upload arrived altered");
                Assert.Equal(Banner, client.StdoutBytes);
            }
        }
        finally
        {
            if (input is not null)
            {
                File.Delete(input);
            }
        }
    }

    [SkippableFact]
    public async Task ServerHalfClosesFirst_ClientStillDeliversAllOfMessage()
    {
        // A command line argument may hold up to 128 KiB on Linux.
        var message = string.Create(100_000, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i * 7 % 26));
            }
        });
        using var listener = Loopback.Listen(out var port);
        var sink = SinkAsync(listener);

        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--message", message);
        client.CloseStdin();
        Assert.Equal(0, await client.WaitForExitAsync());
        var received = await sink.WaitAsync(RunningProcess.DefaultTimeout);
        Assert.Equal(message, Encoding.ASCII.GetString(received));
        Assert.Equal(Banner, client.StdoutBytes);
    }

    [SkippableFact]
    public async Task ServerGoneWhileInputRemains_OneErrorLineSaysWhatWasNotDelivered()
    {
        using var listener = Loopback.Listen(out var port);
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await Loopback.ReadExactlyAsync(peer, "hello\n".Length);
            await peer.SendAsync("bye"u8.ToArray(), SocketFlags.None);
        }); // closed entirely: whatever comes next is answered with a reset

        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port));
        client.Write("hello\n");
        await serving.WaitAsync(RunningProcess.DefaultTimeout);

        // Keep typing into the pipe until the client gives up: the first send after the close
        // draws the reset, a later one fails, and the client exits.
        var feeding = Task.Run(() =>
        {
            var chunk = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    client.Write(chunk);
                }
            }
            catch (IOException)
            {
                // The client exited and the pipe broke: what the test waited for.
            }
        });
        Assert.Equal(1, await client.WaitForExitAsync());
        await feeding.WaitAsync(RunningProcess.DefaultTimeout);
        var errors = client.Stderr.Split('\n').Where(l => l.StartsWith("netkit: error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one error line, stderr was:\n{client.Stderr}");
        Assert.Contains("not sent", errors[0], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Interactive_ServerClosesWhileStdinIsStillOpen_ClientPrintsAllAndExits()
    {
        using var listener = Loopback.Listen(out var port);
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await Loopback.ReadExactlyAsync(peer, "hi\n".Length);
            await peer.SendAsync("bye"u8.ToArray(), SocketFlags.None);
            peer.Shutdown(SocketShutdown.Both);
        });

        // Chat mode: the user could still type, but nobody listens any more, so the client must
        // not wait for input. The bound only catches a client that waits (stdin never ends here).
        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--interactive");
        client.Write("hi\n");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Equal("bye", client.Stdout);
        await serving.WaitAsync(RunningProcess.DefaultTimeout);
    }

    // False when the client closed its stdin before taking all of it.
    private static bool Feed(RunningProcess client, byte[] bytes)
    {
        try
        {
            client.Write(bytes);
            client.CloseStdin();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [SkippableFact]
    public async Task ZeroTimeout_MeansNever()
    {
        using var listener = Loopback.Listen(out var port);
        var accepting = listener.AcceptAsync();
        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--message", "hi", "--timeout", "0", "--connect-timeout", "0");
        using var peer = await accepting.WaitAsync(RunningProcess.DefaultTimeout);
        client.CloseStdin();

        // The client is now waiting for the server; "0" must not have made that wait end at once.
        await client.WaitForStderrAsync(new System.Text.RegularExpressions.Regex("sending completed"));
        await Loopback.ReadToEndAsync(peer);
        await peer.SendAsync("late"u8.ToArray(), SocketFlags.None);
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Equal("late", client.Stdout);
    }

    // Accepts one client, sends the banner, half-closes, and returns every byte read to EOF.
    private static Task<byte[]> SinkAsync(Socket listener) => Task.Run(async () =>
    {
        using var peer = await listener.AcceptAsync();
        await peer.SendAsync(Banner, SocketFlags.None);
        peer.Shutdown(SocketShutdown.Send);
        return await Loopback.ReadToEndAsync(peer);
    });

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);

    [SkippableTheory]
    [InlineData("0>/dev/null", "read input: not open for reading")]
    [InlineData("0</", "read input: Is a directory")]
    public async Task UnreadableStdin_IsOneUsageErrorLine_NotAnInternalOne(string redirection, string message)
    {
        using var listener = Loopback.Listen(out var port);
        using var client = netkit.StartShell($"exec \"$0\" tcp-client 127.0.0.1 --port {Invariant(port)} {redirection}");
        Assert.Equal(2, await client.WaitForExitAsync());
        Assert.Equal("netkit: error: " + message + "\n", client.Stderr);
    }

}
