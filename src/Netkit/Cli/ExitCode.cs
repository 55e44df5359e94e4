using Netkit.Core;

namespace Netkit.Cli;

/// <summary>netkit's exit codes; the table is printed by <c>netkit --help</c> and the README.</summary>
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
    public const int Interrupted = 130;

    public const string Table =
        "Exit codes: 0 ok; 1 network error (refused, reset, unreachable); 2 usage error; 3 timeout; " +
        "4 protocol error (bad reply); 5 denied (ACL, limit, privileges); 6 cannot bind (address in use, permission); " +
        "7 cannot write output (stdout full or closed; a broken pipe is 0); " +
        "130 interrupted (Ctrl+C on a client; a server's stop forced by a second signal 1s or more after the first).";

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
