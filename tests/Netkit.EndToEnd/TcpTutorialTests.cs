using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>
/// The swap-in promise: netkit's tcp-server and tcp-client each replace one side of the
/// tutorial's TCP pair, and the other side sees the same conversation, byte for byte.
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class TcpTutorialTests(NetkitBinary netkit)
{
    private const string Message = "hello from the tutorial";
    private const string Word = "WORD";
    private const string Conversation = Message + "\nI get it!\n" + Word;

    [SkippableFact]
    public async Task TutorialClient_GetsTheSameBytesFromNetkitServerWithReplyAsFromTutorialServer()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", Word, "--once");
        using (server)
        {
            server.CloseStdin();
            var fromNetkit = await Tutorial.RunTcpClientAsync(port, Message);

            Assert.Equal(Tutorial.ClientPrompts + Conversation, fromNetkit);
            Assert.Equal(fromNetkit, await TutorialPairAsync());
            Assert.Equal(0, await server.WaitForExitAsync());
        }
    }

    [SkippableFact]
    public async Task TutorialClient_GetsTheOperatorWordPipedToNetkitServer()
    {
        // Exactly how the tutorial server is driven from a script: the word arrives on stdin.
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--once");
        using (server)
        {
            server.Write(Word + "\n");
            server.CloseStdin();
            var fromNetkit = await Tutorial.RunTcpClientAsync(port, Message);

            Assert.Equal(await TutorialPairAsync(), fromNetkit);
            Assert.Equal(0, await server.WaitForExitAsync());
        }
    }

    [SkippableFact]
    public async Task TutorialClient_IsServedWhileAnotherClientIdles()
    {
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", Word);
        using (server)
        {
            server.CloseStdin();
            using var idle = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await idle.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

            // The tutorial served one client at a time; netkit must not make this one wait.
            var fromNetkit = await Tutorial.RunTcpClientAsync(port, Message);

            Assert.Equal(Tutorial.ClientPrompts + Conversation, fromNetkit);
        }
    }

    [SkippableFact]
    public async Task NetkitClientWithMessage_PrintsWhatTutorialClientReceives()
    {
        var port = LocalPorts.FreeTcp();
        using var server = await Tutorial.StartTcpServerAsync(port, Word);
        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port), "--message", Message);
        client.CloseStdin();

        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Equal(await TutorialClientReceivesAsync(), client.Stdout);
        Assert.Contains("sending completed.", client.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [SkippableFact]
    public async Task NetkitClientWithPipedStdin_SendsItAndPrintsWhatTutorialClientReceives()
    {
        var port = LocalPorts.FreeTcp();
        using var server = await Tutorial.StartTcpServerAsync(port, Word);
        using var client = netkit.Start("tcp-client", "127.0.0.1", "--port", Invariant(port));
        client.Write(Message);
        client.CloseStdin();

        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Equal(await TutorialClientReceivesAsync(), client.Stdout);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The reference: tcpclient.py's whole stdout when talking to tcpserver.py.</summary>
    private static async Task<string> TutorialPairAsync()
    {
        var port = LocalPorts.FreeTcp();
        using var server = await Tutorial.StartTcpServerAsync(port, Word);
        var stdout = await Tutorial.RunTcpClientAsync(port, Message);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Equal(Tutorial.ClientPrompts + Conversation, stdout);
        return stdout;
    }

    /// <summary>The reference without the prompts: the bytes tcpclient.py received.</summary>
    private static async Task<string> TutorialClientReceivesAsync() =>
        (await TutorialPairAsync())[Tutorial.ClientPrompts.Length..];
}
