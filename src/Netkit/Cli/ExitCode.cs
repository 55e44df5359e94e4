using Netkit.Core;

namespace Netkit.Cli;

/// <summary>netkit's exit codes; <see cref="Meanings"/> is printed by every <c>--help</c> (and kept in the README).</summary>
internal static class ExitCode
{
    public const int Ok = 0;
    public const int Network = 1;
    public const int Usage = 2;
    public const int Timeout = 3;
    public const int Protocol = 4;
    public const int Denied = 5;
    public const int Bind = 6;

    /// <summary>stdout cannot take the output (full disk, closed descriptor); a reader that went
    /// away (a broken pipe) is not this, it ends the run quietly with 0.</summary>
    public const int Output = 7;

    /// <summary>A time client's measured offset (the median of its samples) is beyond <c>--max-offset</c>: a monitoring check's CRITICAL.</summary>
    public const int Offset = 8;
    public const int Interrupted = 130;

    /// <summary>Every exit code and what it means, in order: the table at the end of every <c>--help</c>.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Meanings =
    [
        (Ok, "ok (also a server stopped by SIGINT/SIGTERM)"),
        (Network, "network error (refused, reset, unreachable)"),
        (Usage, "usage error (bad or unknown arguments)"),
        (Timeout, "timeout"),
        (Protocol, "protocol error (bad reply)"),
        (Denied, "denied (ACL, limit, privileges, an SNTP Kiss-o'-Death)"),
        (Bind, "cannot bind (address in use, permission)"),
        (Output, "cannot write output (stdout full or closed; a broken pipe is 0)"),
        (Offset, "clock offset beyond --max-offset (udp-time-client)"),
        (Interrupted, "interrupted (Ctrl+C on a client; a server's stop forced by a second signal 1s or more after the first)"),
    ];

    public static int For(FailureKind kind) => kind switch
    {
        FailureKind.Network => Network,
        FailureKind.Timeout => Timeout,
        FailureKind.Protocol => Protocol,
        FailureKind.Denied => Denied,
        FailureKind.Bind => Bind,
        _ => Usage,
    };
}
