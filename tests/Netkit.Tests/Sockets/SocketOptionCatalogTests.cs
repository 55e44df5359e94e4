using System.Globalization;
using System.Text;
using System.Text.Json;
using Netkit.Commands;
using Netkit.Core.Sockets;

namespace Netkit.Tests.Sockets;

/// <summary>The catalog reads real fresh sockets; the report tests check both output forms.</summary>
public sealed class SocketOptionCatalogTests
{
    private static readonly string[] Names =
    [
        "SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT",
        "TCP_NODELAY", "SO_BINDTODEVICE", "SO_BROADCAST", "SO_DONTROUTE", "SO_OOBINLINE", "SO_SNDBUF",
        "SO_RCVBUF", "SO_LINGER", "SO_EXCLUSIVEADDRUSE", "IP_TTL",
    ];

    private static readonly IReadOnlyList<SocketOptionInfo> Options = SocketOptionCatalog.Describe();

    [Fact]
    public void ListsEveryOptionOnce()
    {
        var names = Options.Select(o => o.Name).ToList();
        foreach (var name in Names)
        {
            Assert.Single(names, name);
        }
    }

    [Fact]
    public void EveryOptionHasALevel()
    {
        Assert.All(Options, o => Assert.Contains(o.Level, new[] { "SOL_SOCKET", "IPPROTO_TCP", "IPPROTO_IP" }));
    }

    [Fact]
    public void UnsupportedOptionsHaveNoValues()
    {
        Assert.All(Options.Where(o => !o.Supported), o =>
        {
            Assert.Null(o.TcpDefault);
            Assert.Null(o.UdpDefault);
        });
    }

    [Fact]
    public void ReuseAddressIsOffOnAFreshSocket()
    {
        var option = Find("SO_REUSEADDR");
        Assert.True(option.Supported);
        Assert.Equal("off", option.TcpDefault);
        Assert.Equal("off", option.UdpDefault);
    }

    [Fact]
    public void NoDelayIsTcpOnly()
    {
        var option = Find("TCP_NODELAY");
        Assert.Equal("IPPROTO_TCP", option.Level);
        Assert.Equal("--no-delay", option.Flag);
        Assert.Equal("off", option.TcpDefault);
        Assert.Null(option.UdpDefault);
    }

    [Fact]
    public void BroadcastIsUdpOnly()
    {
        var option = Find("SO_BROADCAST");
        Assert.Null(option.TcpDefault);
        Assert.Equal("off", option.UdpDefault);
    }

    [Theory]
    [InlineData("SO_RCVBUF")]
    [InlineData("SO_SNDBUF")]
    [InlineData("IP_TTL")]
    public void SizesArePositiveNumbers(string name)
    {
        var option = Find(name);
        Assert.True(option.Supported);
        Assert.True(int.Parse(option.TcpDefault!, CultureInfo.InvariantCulture) > 0);
        Assert.True(int.Parse(option.UdpDefault!, CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public void LingerIsOffOnAFreshSocket()
    {
        Assert.Equal("off", Find("SO_LINGER").TcpDefault);
    }

    [Fact]
    public void KeepAliveTimesAreInSeconds()
    {
        Assert.Matches("^[0-9]+s$", Find("TCP_KEEPIDLE").TcpDefault);
        Assert.Matches("^[0-9]+s$", Find("TCP_KEEPINTVL").TcpDefault);
        Assert.Matches("^[0-9]+$", Find("TCP_KEEPCNT").TcpDefault);
    }

    [Fact]
    public void OsSpecificOptionsAreSupportedWhereTheyExist()
    {
        Assert.Equal(OperatingSystem.IsWindows(), Find("SO_EXCLUSIVEADDRUSE").Supported);
        Assert.Equal(OperatingSystem.IsLinux(), Find("SO_BINDTODEVICE").Supported);
        Assert.Equal(!OperatingSystem.IsWindows(), Find("SO_REUSEPORT").Supported);
    }

    [SkippableFact]
    public void LinuxDefaultsAreThoseOfAFreshSocket()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux defaults");
        Assert.Equal("off", Find("SO_REUSEPORT").TcpDefault);
        Assert.Equal("", Find("SO_BINDTODEVICE").TcpDefault);
        Assert.Equal("", Find("SO_BINDTODEVICE").UdpDefault);
        Assert.Equal("off", Find("SO_KEEPALIVE").TcpDefault);
        Assert.Equal("--reuse-address", Find("SO_REUSEADDR").Flag);
        Assert.Null(Find("SO_EXCLUSIVEADDRUSE").Flag);
    }

    [Fact]
    public void JsonHasThePlatformAndEveryOption()
    {
        using var stream = new MemoryStream();
        SockoptsReport.WriteJson(stream, Options);

        Assert.Equal((byte)'\n', stream.ToArray()[^1]);
        using var document = JsonDocument.Parse(stream.ToArray());
        var root = document.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("platform").GetString()));
        var options = root.GetProperty("options").EnumerateArray().ToList();
        Assert.Equal(Options.Count, options.Count);
        foreach (var (json, option) in options.Zip(Options))
        {
            Assert.Equal(option.Name, json.GetProperty("name").GetString());
            Assert.Equal(option.Level, json.GetProperty("level").GetString());
            Assert.Equal(option.Flag, json.GetProperty("flag").GetString());
            Assert.Equal(option.Supported, json.GetProperty("supported").GetBoolean());
            Assert.Equal(option.TcpDefault, json.GetProperty("tcp").GetString());
            Assert.Equal(option.UdpDefault, json.GetProperty("udp").GetString());
        }
    }

    [Fact]
    public void JsonWritesMissingValuesAsNull()
    {
        var option = new SocketOptionInfo("SO_X", "SOL_SOCKET", null, false, null, null);
        using var stream = new MemoryStream();
        SockoptsReport.WriteJson(stream, [option]);

        using var document = JsonDocument.Parse(stream.ToArray());
        var json = document.RootElement.GetProperty("options")[0];
        Assert.Equal(JsonValueKind.Null, json.GetProperty("flag").ValueKind);
        Assert.Equal(JsonValueKind.False, json.GetProperty("supported").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("tcp").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("udp").ValueKind);
    }

    [Fact]
    public void TextNamesEveryOption()
    {
        var text = WriteText(Options);
        foreach (var name in Names)
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TextIsAnAlignedTableUnderAHeader()
    {
        SocketOptionInfo[] options =
        [
            new("SO_REUSEADDR", "SOL_SOCKET", "--reuse-address", true, "off", "off"),
            new("TCP_NODELAY", "IPPROTO_TCP", "--no-delay", true, "off", null),
            new("SO_EXCLUSIVEADDRUSE", "SOL_SOCKET", null, false, null, null),
            new("SO_BINDTODEVICE", "SOL_SOCKET", "--bind-device", true, "", ""),
        ];

        var lines = WriteText(options).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            [
                "option               level        flag             tcp          udp",
                "SO_REUSEADDR         SOL_SOCKET   --reuse-address  off          off",
                "TCP_NODELAY          IPPROTO_TCP  --no-delay       off          -",
                "SO_EXCLUSIVEADDRUSE  SOL_SOCKET   -                unsupported  unsupported",
                "SO_BINDTODEVICE      SOL_SOCKET   --bind-device    (none)       (none)",
            ],
            lines);
    }

    private static SocketOptionInfo Find(string name) => Options.Single(o => o.Name == name);

    private static string WriteText(IReadOnlyList<SocketOptionInfo> options)
    {
        var builder = new StringBuilder();
        using (var writer = new StringWriter(builder, CultureInfo.InvariantCulture))
        {
            SockoptsReport.WriteText(writer, options);
        }

        return builder.ToString();
    }
}
