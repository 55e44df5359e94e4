namespace Netkit.Output;

/// <summary>
/// stdout could not take what netkit wrote. Not an <see cref="IOException"/>, so no handler meant
/// for socket or file trouble takes it for a network error on the way to the one place that turns
/// it into an exit code.
/// </summary>
internal sealed class OutputException(string reason, bool brokenPipe) : Exception(reason)
{
    /// <summary>The reader went away (EPIPE: <c>| head</c> has read enough): not an error, just the end.</summary>
    public bool BrokenPipe { get; } = brokenPipe;
}
