using System.Net;
using System.Net.Sockets;
using System.Text;
using Netkit.Core.Sockets;

namespace Netkit.Tests.Sockets;

/// <summary>
/// Every setting is applied to a fresh socket and read back with getsockopt, so a test fails if the
/// applier sets the wrong option, the wrong level, or nothing at all.
/// </summary>
public sealed class SocketSettingsApplierTests
{
    private const int SolSocketLinux = 1;
    private const int SoReuseAddrLinux = 2;
    private const int SoReusePortLinux = 15;
    private const int SoBindToDeviceLinux = 25;

    private static readonly SocketSettings Defaults = new();

    [Fact]
    public void EverySettingHasATestHere()
    {
        // A new SocketSettings property must come with a read-back test below.
        string[] covered =
        [
            nameof(SocketSettings.ReuseAddress), nameof(SocketSettings.ReusePort), nameof(SocketSettings.KeepAlive),
            nameof(SocketSettings.KeepAliveIdle), nameof(SocketSettings.KeepAliveInterval), nameof(SocketSettings.KeepAliveCount),
            nameof(SocketSettings.NoDelay), nameof(SocketSettings.BindDevice), nameof(SocketSettings.Broadcast),
            nameof(SocketSettings.DontRoute), nameof(SocketSettings.OobInline), nameof(SocketSettings.SendBuffer),
            nameof(SocketSettings.ReceiveBuffer), nameof(SocketSettings.Linger), nameof(SocketSettings.WantsKeepAlive),
        ];
        var properties = typeof(SocketSettings).GetProperties()
            .Select(p => p.Name)
            .Order();
        Assert.Equal(covered.Order(), properties);
    }

    [Theory]
    [InlineData(SocketRole.Listener)]
    public void ServersReuseTheAddressByDefault(SocketRole role)
    {
        using var socket = Open(role);
        SocketSettingsApplier.Apply(socket, Defaults, role);
        if (OperatingSystem.IsWindows())
        {
            Assert.True(socket.ExclusiveAddressUse);
        }
        else
        {
            Assert.Equal(1, ReadReuseAddress(socket));
        }
    }

    [SkippableFact]
    public void UdpLeavesReuseAddressOffUnlessAsked()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows servers get SO_EXCLUSIVEADDRUSE instead");
        using var plain = Open(SocketRole.Datagram);
        SocketSettingsApplier.Apply(plain, Defaults, SocketRole.Datagram);
        Assert.Equal(0, ReadReuseAddress(plain));
        using var asked = Open(SocketRole.Datagram);
        SocketSettingsApplier.Apply(asked, new SocketSettings { ReuseAddress = true }, SocketRole.Datagram);
        Assert.Equal(1, ReadReuseAddress(asked));
    }

    [SkippableTheory]
    [InlineData(SocketRole.Listener)]
    [InlineData(SocketRole.Datagram)]
    [InlineData(SocketRole.Client)]
    public void NoReuseAddressLeavesItOff(SocketRole role)
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows servers get SO_EXCLUSIVEADDRUSE instead");
        using var socket = Open(role);
        SocketSettingsApplier.Apply(socket, new SocketSettings { ReuseAddress = false }, role);
        Assert.Equal(0, ReadReuseAddress(socket));
    }

    [Fact]
    public void ClientsDoNotReuseTheAddressUnlessAsked()
    {
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, Defaults, SocketRole.Client);
        Assert.Equal(0, ReadReuseAddress(socket));
    }

    [SkippableFact]
    public void ClientsReuseTheAddressWhenAsked()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows clients never get SO_REUSEADDR");
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, new SocketSettings { ReuseAddress = true }, SocketRole.Client);
        Assert.Equal(1, ReadReuseAddress(socket));
    }

    [SkippableTheory]
    [InlineData(SocketRole.Listener)]
    [InlineData(SocketRole.Datagram)]
    public void ReusePortIsNeverImpliedButSetWhenAsked(SocketRole role)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads SO_REUSEPORT by its Linux number");
        using var plain = Open(role);
        SocketSettingsApplier.Apply(plain, Defaults, role);
        Assert.Equal(0, ReadRawInt(plain, SolSocketLinux, SoReusePortLinux));

        using var socket = Open(role);
        SocketSettingsApplier.Apply(socket, new SocketSettings { ReusePort = true }, role);
        Assert.Equal(1, ReadRawInt(socket, SolSocketLinux, SoReusePortLinux));
    }

    [Theory]
    [InlineData(SocketRole.Listener)]
    [InlineData(SocketRole.Client)]
    public void KeepAliveIsSet(SocketRole role)
    {
        using var socket = Open(role);
        SocketSettingsApplier.Apply(socket, new SocketSettings { KeepAlive = true }, role);
        Assert.Equal(1, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.KeepAlive));
    }

    [Fact]
    public void KeepAliveIsOffByDefault()
    {
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, Defaults, SocketRole.Client);
        Assert.Equal(0, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.KeepAlive));
    }

    [Fact]
    public void KeepAliveTuningsAreSetAndImplyKeepAlive()
    {
        var settings = new SocketSettings
        {
            KeepAliveIdle = TimeSpan.FromSeconds(30),
            KeepAliveInterval = TimeSpan.FromSeconds(7),
            KeepAliveCount = 4,
        };
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, settings, SocketRole.Client);

        Assert.Equal(1, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.KeepAlive));
        Assert.Equal(30, ReadInt(socket, SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime));
        Assert.Equal(7, ReadInt(socket, SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval));
        Assert.Equal(4, ReadInt(socket, SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount));
    }

    [Fact]
    public void KeepAliveIdleAloneImpliesKeepAlive()
    {
        using var socket = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(socket, new SocketSettings { KeepAliveIdle = TimeSpan.FromMinutes(2) }, SocketRole.Listener);
        Assert.Equal(1, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.KeepAlive));
        Assert.Equal(120, ReadInt(socket, SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime));
    }

    [Fact]
    public void KeepAliveIdleRoundsPartSecondsUp()
    {
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, new SocketSettings { KeepAliveIdle = TimeSpan.FromMilliseconds(1500) }, SocketRole.Client);
        Assert.Equal(2, ReadInt(socket, SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime));
    }

    [Fact]
    public void NoDelayIsSet()
    {
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, new SocketSettings { NoDelay = true }, SocketRole.Client);
        Assert.Equal(1, ReadInt(socket, SocketOptionLevel.Tcp, SocketOptionName.NoDelay));
    }

    [SkippableTheory]
    [InlineData(SocketRole.Listener)]
    [InlineData(SocketRole.Client)]
    [InlineData(SocketRole.Datagram)]
    public void BindDeviceIsSet(SocketRole role)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SO_BINDTODEVICE exists on Linux only");
        using var socket = Open(role);
        SocketSettingsApplier.Apply(socket, new SocketSettings { BindDevice = "lo" }, role);
        Assert.Equal("lo", ReadDevice(socket));
    }

    [SkippableFact]
    public void BindDeviceToAMissingInterfaceSaysNoSuchDevice()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SO_BINDTODEVICE exists on Linux only");
        using var socket = Open(SocketRole.Client);
        var e = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { BindDevice = "nknosuch0" }, SocketRole.Client));
        Assert.Equal("--bind-device", e.Option);
        Assert.Equal("--bind-device nknosuch0: no such device", e.Message);
        Assert.False(e.Denied);
    }

    [Theory]
    [InlineData(19, "no such device")]
    [InlineData(1, "not permitted (needs CAP_NET_RAW)")]
    [InlineData(13, "not permitted (needs CAP_NET_RAW)")]
    public void BindDeviceFailuresReadAsTheirErrno(int errno, string expected)
    {
        Assert.Equal(expected, SocketSettingsApplier.BindDeviceFailure(errno));
    }

    [SkippableFact]
    public void BindDeviceNamesTooLongForTheKernelSayTheLimit()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SO_BINDTODEVICE exists on Linux only");
        using var socket = Open(SocketRole.Client);
        var e = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { BindDevice = "sixteen-letters!" }, SocketRole.Client));
        Assert.Equal("--bind-device sixteen-letters!: not an interface name (at most 15 bytes)", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixteen-letters!")]
    [InlineData("ééééééééé")] // nine characters, but eighteen bytes: longer than IFNAMSIZ allows
    [InlineData("lo\0")]
    public void BindDeviceRejectsWhatCannotBeAnInterfaceName(string device)
    {
        using var socket = Open(SocketRole.Client);
        var e = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { BindDevice = device }, SocketRole.Client));
        Assert.Equal("--bind-device", e.Option);
    }

    [Fact]
    public void BroadcastIsSetOnDatagramSockets()
    {
        using var socket = Open(SocketRole.Datagram);
        SocketSettingsApplier.Apply(socket, new SocketSettings { Broadcast = true }, SocketRole.Datagram);
        Assert.Equal(1, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.Broadcast));
    }

    [Theory]
    [InlineData(SocketRole.Listener)]
    [InlineData(SocketRole.Client)]
    public void BroadcastOnTcpFails(SocketRole role)
    {
        using var socket = Open(role);
        var e = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { Broadcast = true }, role));
        Assert.Equal("--broadcast", e.Option);
    }

    public static TheoryData<string, SocketSettings> TcpOnlySettings => new()
    {
        { "--keepalive", new SocketSettings { KeepAlive = true } },
        { "--keepalive-idle", new SocketSettings { KeepAliveIdle = TimeSpan.FromSeconds(10) } },
        { "--keepalive-interval", new SocketSettings { KeepAliveInterval = TimeSpan.FromSeconds(10) } },
        { "--keepalive-count", new SocketSettings { KeepAliveCount = 3 } },
        { "--no-delay", new SocketSettings { NoDelay = true } },
        { "--oob-inline", new SocketSettings { OobInline = true } },
        { "--linger", new SocketSettings { Linger = TimeSpan.FromSeconds(1) } },
    };

    [Theory]
    [MemberData(nameof(TcpOnlySettings))]
    public void TcpOnlySettingsOnUdpFailNamingTheOption(string option, SocketSettings settings)
    {
        using var socket = Open(SocketRole.Datagram);
        var e = Assert.Throws<SocketOptionException>(() => SocketSettingsApplier.Apply(socket, settings, SocketRole.Datagram));
        Assert.Equal(option, e.Option);
    }

    [Fact]
    public void AWrongProtocolSettingFailsBeforeAnythingIsSet()
    {
        using var socket = Open(SocketRole.Listener);
        Assert.Throws<SocketOptionException>(() => SocketSettingsApplier.Apply(
            socket, new SocketSettings { DontRoute = true, Broadcast = true }, SocketRole.Listener));
        Assert.Equal(0, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.DontRoute));
    }

    [Theory]
    [InlineData(SocketRole.Listener)]
    [InlineData(SocketRole.Client)]
    [InlineData(SocketRole.Datagram)]
    public void DontRouteIsSet(SocketRole role)
    {
        using var socket = Open(role);
        SocketSettingsApplier.Apply(socket, new SocketSettings { DontRoute = true }, role);
        Assert.Equal(1, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.DontRoute));
    }

    [Fact]
    public void OobInlineIsSet()
    {
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, new SocketSettings { OobInline = true }, SocketRole.Client);
        Assert.Equal(1, ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline));
    }

    [Theory]
    [InlineData(SocketRole.Listener)]
    [InlineData(SocketRole.Client)]
    [InlineData(SocketRole.Datagram)]
    public void BuffersAreAtLeastWhatWasAskedFor(SocketRole role)
    {
        // Linux doubles the value for its own bookkeeping, so only "at least" holds everywhere.
        const int send = 96 * 1024;
        const int receive = 80 * 1024;
        using var socket = Open(role);
        SocketSettingsApplier.Apply(socket, new SocketSettings { SendBuffer = send, ReceiveBuffer = receive }, role);
        Assert.InRange(ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.SendBuffer), send, int.MaxValue);
        Assert.InRange(ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.ReceiveBuffer), receive, int.MaxValue);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void BufferSizesBelowOneByteFailNamingTheOption(int size)
    {
        using var socket = Open(SocketRole.Client);
        var send = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { SendBuffer = size }, SocketRole.Client));
        Assert.Equal("--send-buffer", send.Option);
        var receive = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { ReceiveBuffer = size }, SocketRole.Client));
        Assert.Equal("--receive-buffer", receive.Option);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void LingerIsSet(int seconds)
    {
        using var socket = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(socket, new SocketSettings { Linger = TimeSpan.FromSeconds(seconds) }, SocketRole.Client);
        var linger = socket.LingerState;
        Assert.NotNull(linger);
        Assert.True(linger.Enabled);
        Assert.Equal(seconds, linger.LingerTime);
    }

    [Fact]
    public void LingerIsOffByDefault()
    {
        using var socket = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(socket, Defaults, SocketRole.Listener);
        Assert.False(socket.LingerState?.Enabled);
    }

    [Theory]
    [InlineData(32768)]
    [InlineData(32767.5)]
    [InlineData(-1)]
    [InlineData(-0.5)]
    [InlineData(100000)]
    public void LingerOutOfRangeFails(double seconds)
    {
        using var socket = Open(SocketRole.Client);
        var e = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { Linger = TimeSpan.FromSeconds(seconds) }, SocketRole.Client));
        Assert.Equal("--linger", e.Option);
    }

    [Fact]
    public void LingerOfTimeSpanMaxValueFails()
    {
        using var socket = Open(SocketRole.Client);
        var e = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { Linger = TimeSpan.MaxValue }, SocketRole.Client));
        Assert.Equal("--linger", e.Option);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(36000)]
    public void KeepAliveTimesOutOfRangeFail(int seconds)
    {
        using var socket = Open(SocketRole.Client);
        var idle = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { KeepAliveIdle = TimeSpan.FromSeconds(seconds) }, SocketRole.Client));
        Assert.Equal("--keepalive-idle", idle.Option);
        var interval = Assert.Throws<SocketOptionException>(
            () => SocketSettingsApplier.Apply(socket, new SocketSettings { KeepAliveInterval = TimeSpan.FromSeconds(seconds) }, SocketRole.Client));
        Assert.Equal("--keepalive-interval", interval.Option);
    }

    [Fact]
    public void TwoDefaultListenersCannotShareAPort()
    {
        // Reuse-address must not bring SO_REUSEPORT along (.NET sets both on Unix): a second
        // server on a port in use has to fail, not quietly take half the connections.
        using var first = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(first, Defaults, SocketRole.Listener);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        first.Listen(1);

        using var second = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(second, Defaults, SocketRole.Listener);
        var e = Assert.Throws<SocketException>(() => second.Bind(first.LocalEndPoint!));
        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }

    [SkippableFact]
    public void TwoListenersShareAPortOnlyWhenBothAskForReusePort()
    {
        Skip.If(OperatingSystem.IsWindows(), "SO_REUSEPORT does not exist on Windows");
        var settings = new SocketSettings { ReusePort = true };
        using var first = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(first, settings, SocketRole.Listener);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        first.Listen(1);

        using var second = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(second, settings, SocketRole.Listener);
        second.Bind(first.LocalEndPoint!);
        second.Listen(1);
    }

    [Fact]
    public async Task ListenerWithSettingsBindsLoopbackAndAccepts()
    {
        var settings = new SocketSettings
        {
            KeepAlive = true,
            KeepAliveIdle = TimeSpan.FromSeconds(60),
            NoDelay = true,
            SendBuffer = 64 * 1024,
            ReceiveBuffer = 64 * 1024,
            Linger = TimeSpan.FromSeconds(1),
        };
        using var listener = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(listener, settings, SocketRole.Listener);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        var endpoint = Assert.IsType<IPEndPoint>(listener.LocalEndPoint);
        Assert.NotEqual(0, endpoint.Port);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = Open(SocketRole.Client);
        SocketSettingsApplier.Apply(client, new SocketSettings { NoDelay = true }, SocketRole.Client);
        var accepting = listener.AcceptAsync(timeout.Token);
        await client.ConnectAsync(endpoint, timeout.Token);
        using var served = await accepting;

        await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, timeout.Token);
        var buffer = new byte[4];
        var received = 0;
        while (received < buffer.Length)
        {
            var n = await served.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            received += n;
        }

        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    [SkippableFact]
    public void ReuseAddressLetsAServerRebindWhileAnOldConnectionLingers()
    {
        // The tutorial's reason for SO_REUSEADDR: restart on the same port while the previous
        // run's connection sits in TIME_WAIT.
        Skip.If(OperatingSystem.IsWindows(), "Windows has no TIME_WAIT bind conflict of this kind");
        int port;
        using (var first = Open(SocketRole.Listener))
        {
            SocketSettingsApplier.Apply(first, Defaults, SocketRole.Listener);
            first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            first.Listen(1);
            port = ((IPEndPoint)first.LocalEndPoint!).Port;
            using var client = Open(SocketRole.Client);
            client.Connect(first.LocalEndPoint!);
            using var served = first.Accept();
            served.Shutdown(SocketShutdown.Both); // the server closes first, so it holds TIME_WAIT
            served.Close();
        }

        using var second = Open(SocketRole.Listener);
        SocketSettingsApplier.Apply(second, Defaults, SocketRole.Listener);
        second.Bind(new IPEndPoint(IPAddress.Loopback, port));
        second.Listen(1);
    }

    private static Socket Open(SocketRole role) => role == SocketRole.Datagram
        ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
        : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    private static int ReadInt(Socket socket, SocketOptionLevel level, SocketOptionName name) =>
        Assert.IsType<int>(socket.GetSocketOption(level, name));

    // .NET's GetSocketOption(ReuseAddress) reads SO_REUSEPORT on Unix, so Linux is asked by number.
    private static int ReadReuseAddress(Socket socket) => OperatingSystem.IsLinux()
        ? ReadRawInt(socket, SolSocketLinux, SoReuseAddrLinux)
        : ReadInt(socket, SocketOptionLevel.Socket, SocketOptionName.ReuseAddress);

    private static int ReadRawInt(Socket socket, int level, int name)
    {
        var value = new byte[sizeof(int)];
        Assert.Equal(sizeof(int), socket.GetRawSocketOption(level, name, value));
        return BitConverter.ToInt32(value);
    }

    private static string ReadDevice(Socket socket)
    {
        var value = new byte[16];
        var length = socket.GetRawSocketOption(SolSocketLinux, SoBindToDeviceLinux, value);
        return Encoding.UTF8.GetString(value, 0, length).TrimEnd('\0');
    }
}
