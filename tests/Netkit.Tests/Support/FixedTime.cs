namespace Netkit.Tests.Support;

/// <summary>A clock that says what the test wants; timers and timestamps still run on real time.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
