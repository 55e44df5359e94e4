namespace Netkit.EndToEnd;

/// <summary>
/// Runs the tutorial's four programs (Python 3 ports in <c>fixtures/</c>) the way their users do:
/// answers typed on stdin, results read from stdout.
/// </summary>
public static class Tutorial
{
    public const string ClientPrompts = "input server ip address :Enter the message to be sent :sending completed.\n";

    public const string UdpClientPrompts = "input server address :waiting for a reply ......\n";

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    /// <summary>Starts a Python fixture script, unbuffered so its prints show up as they happen.</summary>
    public static RunningProcess StartPython(string script, params string[] arguments) =>
        RunningProcess.Start(Toolchain.Require("python3"), ["-u", Fixture(script), .. arguments]);

    /// <summary>tcpserver.py on <paramref name="port"/>, serving one client; the operator types <paramref name="word"/>.</summary>
    public static async Task<RunningProcess> StartTcpServerAsync(int port, string word)
    {
        var server = StartPython("tcpserver.py", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--once");
        server.Write(word);
        server.CloseStdin();
        await LocalPorts.WaitForTcpListenerAsync(port);
        return server;
    }

    /// <summary>serverudp.py on <paramref name="port"/>, answering one datagram.</summary>
    public static async Task<RunningProcess> StartUdpServerAsync(int port)
    {
        var server = StartPython("serverudp.py", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--once");
        await LocalPorts.WaitForUdpBindAsync(port);
        return server;
    }

    /// <summary>Runs tcpclient.py against 127.0.0.1:<paramref name="port"/> and returns its whole stdout.</summary>
    public static async Task<string> RunTcpClientAsync(int port, string message)
    {
        using var client = StartPython("tcpclient.py", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        client.Write($"127.0.0.1\n{message}\n");
        client.CloseStdin();
        var exitCode = await client.WaitForExitAsync();
        Assert.True(exitCode == 0, $"tcpclient.py exited {exitCode}; stderr:\n{client.Stderr}");
        return client.Stdout;
    }

    /// <summary>Runs clientudp.py against 127.0.0.1:<paramref name="port"/>; returns exit code and stdout.</summary>
    public static async Task<(int ExitCode, string Stdout)> RunUdpClientAsync(int port)
    {
        using var client = StartPython("clientudp.py", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        client.Write("127.0.0.1\n");
        client.CloseStdin();
        var exitCode = await client.WaitForExitAsync();
        return (exitCode, client.Stdout);
    }
}
