using System.CommandLine;
using Netkit.Core.Sockets;

namespace Netkit.Cli;

/// <summary>The socket-option flags of one command, chosen by the socket's role, and how they become
/// <see cref="SocketSettings"/>. Each help text names the OS option it sets.</summary>
internal sealed class SocketOptionSet
{
    private readonly Option<bool>? _reuseAddress;
    private readonly Option<bool>? _noReuseAddress;
    private readonly Option<bool>? _reusePort;
    private readonly Option<bool>? _keepAlive;
    private readonly Option<TimeSpan?>? _keepAliveIdle;
    private readonly Option<TimeSpan?>? _keepAliveInterval;
    private readonly Option<int?>? _keepAliveCount;
    private readonly Option<bool>? _noDelay;
    private readonly Option<bool>? _broadcast;
    private readonly Option<bool>? _oobInline;
    private readonly Option<TimeSpan?>? _linger;
    private readonly Option<string?> _bindDevice;
    private readonly Option<bool> _dontRoute;
    private readonly Option<int?> _sendBuffer;
    private readonly Option<int?> _receiveBuffer;

    /// <param name="command">The command to add the flags to.</param>
    /// <param name="role">Which socket they configure.</param>
    /// <param name="server">True for servers: address reuse flags are offered.</param>
    /// <param name="broadcastFlag">False when the command owns <c>--broadcast</c> itself.</param>
    public SocketOptionSet(Command command, SocketRole role, bool server, bool broadcastFlag = true)
    {
        if (server)
        {
            _reuseAddress = Add(command, CommonOptions.Flag("--reuse-address", role == SocketRole.Listener
                ? "SO_REUSEADDR (on by default, like the tutorial): rebind at once after a restart; exclusive address use on Windows."
                : "SO_REUSEADDR (off by default for UDP: on Linux it lets a second server share the port)."));
            _noReuseAddress = Add(command, CommonOptions.Flag("--no-reuse-address", "Do not set SO_REUSEADDR."));
            _reusePort = Add(command, CommonOptions.Flag("--reuse-port", "SO_REUSEPORT: let several processes share the port (never implied)."));
        }

        if (role != SocketRole.Datagram)
        {
            _keepAlive = Add(command, CommonOptions.Flag("--keepalive", "SO_KEEPALIVE: probe idle peers to detect dead ones."));
            _keepAliveIdle = Add(command, CommonOptions.OptionalDuration("--keepalive-idle", "TCP_KEEPIDLE: idle time before the first probe, whole seconds (e.g. 60s, 2m; implies --keepalive). [default: the OS's, see netkit sockopts]", wholeSeconds: true));
            _keepAliveInterval = Add(command, CommonOptions.OptionalDuration("--keepalive-interval", "TCP_KEEPINTVL: time between probes, whole seconds (e.g. 10s; implies --keepalive). [default: the OS's, see netkit sockopts]", wholeSeconds: true));
            _keepAliveCount = Add(command, CommonOptions.OptionalCount("--keepalive-count", "TCP_KEEPCNT: unanswered probes before the peer is dead (implies --keepalive). [default: the OS's, see netkit sockopts]", 1, 127));
            _noDelay = Add(command, CommonOptions.Flag("--no-delay", "TCP_NODELAY: send small writes at once (no Nagle)."));
            _oobInline = Add(command, CommonOptions.Flag("--oob-inline", "SO_OOBINLINE: urgent data arrives in the normal stream."));
            _linger = Add(command, CommonOptions.OptionalDuration("--linger", "SO_LINGER: how long close waits for unsent data, whole seconds (e.g. 5s); 0 resets the connection. [default: off]", allowZero: true, wholeSeconds: true));
        }
        else if (broadcastFlag)
        {
            _broadcast = Add(command, CommonOptions.Flag("--broadcast", "SO_BROADCAST: allow sending to broadcast addresses."));
        }

        _bindDevice = Add(command, CommonOptions.Text("--bind-device", "SO_BINDTODEVICE (Linux): use only this network interface.", "interface"));
        _dontRoute = Add(command, CommonOptions.Flag("--dont-route", "SO_DONTROUTE: reach only directly connected hosts."));
        _sendBuffer = Add(command, CommonOptions.Size("--send-buffer", "SO_SNDBUF in bytes; suffixes k, m, g (e.g. 256k). [default: the OS's, see netkit sockopts]"));
        _receiveBuffer = Add(command, CommonOptions.Size("--receive-buffer", "SO_RCVBUF in bytes; suffixes k, m, g (e.g. 256k). [default: the OS's, see netkit sockopts]"));

        if (_reuseAddress is not null && _noReuseAddress is not null)
        {
            var on = _reuseAddress;
            var off = _noReuseAddress;
            CommonOptions.Validate(command, r =>
            {
                if (r.GetValue(on) && r.GetValue(off))
                {
                    r.AddError("--reuse-address and --no-reuse-address exclude each other");
                }
            });
        }
    }

    public SocketSettings Bind(ParseResult result) => new()
    {
        ReuseAddress = Get(result, _noReuseAddress) ? false : Get(result, _reuseAddress) ? true : null,
        ReusePort = Get(result, _reusePort),
        KeepAlive = Get(result, _keepAlive),
        KeepAliveIdle = _keepAliveIdle is null ? null : result.GetValue(_keepAliveIdle),
        KeepAliveInterval = _keepAliveInterval is null ? null : result.GetValue(_keepAliveInterval),
        KeepAliveCount = _keepAliveCount is null ? null : result.GetValue(_keepAliveCount),
        NoDelay = Get(result, _noDelay),
        BindDevice = result.GetValue(_bindDevice),
        Broadcast = Get(result, _broadcast),
        DontRoute = result.GetValue(_dontRoute),
        OobInline = Get(result, _oobInline),
        SendBuffer = result.GetValue(_sendBuffer),
        ReceiveBuffer = result.GetValue(_receiveBuffer),
        Linger = _linger is null ? null : result.GetValue(_linger),
    };

    private static bool Get(ParseResult result, Option<bool>? option) => option is not null && result.GetValue(option);

    private static T Add<T>(Command command, T option)
        where T : Option
    {
        command.Add(option);
        return option;
    }
}
