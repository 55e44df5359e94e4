using System.Globalization;

namespace Netkit.EndToEnd;

/// <summary>
/// netkit servers against the standard tools people will point at them: ncat and OpenBSD nc
/// (which half-close when their stdin ends) and rdate (the RFC 868 time client).
/// </summary>
[Collection(NetkitCollection.Name)]
public sealed class InteropTests(NetkitBinary netkit)
{
    [SkippableTheory]
    [InlineData("ncat")]
    [InlineData("nc.openbsd", "-N")]
    public async Task NetcatHalfClose_GetsDataAckAndReplyThenServerCloses(string tool, params string[] options)
    {
        var executable = Toolchain.Require(tool);
        var (server, port) = await netkit.StartServerAsync("tcp-server", "--port", "0", "--reply", "X");
        using (server)
        {
            server.CloseStdin();
            using var client = RunningProcess.Start(executable, [.. options, "127.0.0.1", Invariant(port)]);
            client.Write("hello\n");
            client.CloseStdin();

            // The client only exits once the server closed its side: the half-close was honoured.
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Equal("hello\n\nI get it!\nX", client.Stdout);

            await server.SignalAsync("TERM");
            Assert.Equal(0, await server.WaitForExitAsync());
        }
    }

    [SkippableFact]
    public async Task Rdate_OverUdp_PrintsTodayFromRfc868Server()
    {
        var rdate = Toolchain.Require("rdate");
        var (server, port) = await netkit.StartServerAsync("udp-time-server", "--port", "0", "--epoch", "rfc868");
        using (server)
        {
            var before = DateTime.Now;
            using var client = RunningProcess.Start(rdate, ["-p", "-u", "-o", Invariant(port), "127.0.0.1"]);
            client.CloseStdin();
            Assert.Equal(0, await client.WaitForExitAsync());
            var after = DateTime.Now;

            // rdate prints like date(1), "Thu Nov 26 00:54:06 UTC 2026"; around midnight either day is fine.
            Assert.True(
                ShowsDay(client.Stdout, before) || ShowsDay(client.Stdout, after),
                $"rdate printed {client.Stdout.Trim()}, expected the date of {before:yyyy-MM-dd}");
        }
    }

    private static bool ShowsDay(string text, DateTime day) =>
        text.Contains(day.ToString(" yyyy", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        && text.Contains(day.ToString("MMM ", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        && text.Contains(day.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " ", StringComparison.Ordinal);

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);
}
