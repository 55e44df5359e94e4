namespace Netkit.Cli;

/// <summary>What one SIGINT/SIGTERM means, as <see cref="StopRequest.Receive"/> decides it.</summary>
internal enum StopDecision
{
    /// <summary>The first signal: stop accepting, let clients finish, print the summary.</summary>
    Stop,

    /// <summary>A repeat within <see cref="StopRequest.RepeatWindow"/> of the first: the same request.</summary>
    Repeat,

    /// <summary>A later repeat (a person pressing Ctrl+C again): cut the drain short.</summary>
    Force,
}
