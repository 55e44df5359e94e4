namespace Netkit.Core.Udp;

/// <summary>
/// How far a time server's clock is from ours, from one 4-byte reply. The reply carries whole
/// seconds: a server that sends T read its clock somewhere in [T, T+1), so T itself is on average
/// half a second behind it, and reading it as the server's time biases the offset by up to -1 s.
/// The best estimate is T + 0.5 s, and the moment to compare it with is the midpoint of the
/// exchange (the server answered somewhere between our request and its reply): our clock at the
/// reply minus half the round trip. The true offset then lies within ±(0.5 s + round trip / 2).
/// </summary>
public static class TimeOffset
{
    /// <summary>The resolution of the 4-byte reply: one second.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromSeconds(1);

    /// <summary>Server clock minus ours (positive: the server is ahead).</summary>
    /// <param name="serverSecond">The whole second the reply carried, decoded (<see cref="Protocols.TimeDatagram"/>).</param>
    /// <param name="reading">The reply: our clock when it arrived and the round trip.</param>
    public static TimeSpan Estimate(DateTimeOffset serverSecond, TimeReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var serverMiddle = serverSecond + Resolution / 2;
        var localMiddle = reading.LocalTime - reading.RoundTrip / 2;
        return serverMiddle - localMiddle;
    }

    /// <summary>How far <see cref="Estimate"/> may be off at most: half the resolution plus half the round trip.</summary>
    public static TimeSpan Uncertainty(TimeReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return Resolution / 2 + reading.RoundTrip / 2;
    }
}
