namespace Netkit.Operator;

/// <summary>What an operator's line asks for.</summary>
internal enum ConsoleCommandKind
{
    /// <summary>A word for the client that spoke last.</summary>
    Word,
    /// <summary><c>/to ID TEXT</c>.</summary>
    To,
    /// <summary><c>/all TEXT</c>.</summary>
    All,
    /// <summary><c>/kick ID</c>.</summary>
    Kick,
    /// <summary><c>/list</c>.</summary>
    List,
    /// <summary><c>/stats</c>.</summary>
    Stats,
    /// <summary><c>/quiet</c>, <c>/verbose [LEVEL]</c>: <see cref="ConsoleCommand.Text"/> is the <c>--verbosity</c> word.</summary>
    Verbosity,
    /// <summary><c>/help</c>.</summary>
    Help,
    /// <summary>A line starting with <c>/</c> that is no command; <see cref="ConsoleCommand.Text"/> says why.</summary>
    Invalid,
}
