namespace Netkit.Cli;

/// <summary>The arguments make no sense together (exit code 2); thrown only by command code.</summary>
internal sealed class UsageException(string message) : Exception(message);
