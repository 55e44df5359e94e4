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
    public const int Interrupted = 130;

    public const string Table =
        "Exit codes: 0 ok; 1 network error (refused, reset, unreachable); 2 usage error; 3 timeout; " +
        "4 protocol error (bad reply); 5 denied (ACL, limit, privileges); 6 cannot bind (address in use, permission); " +
        "130 interrupted.";

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
