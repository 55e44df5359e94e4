namespace Netkit.Cli;

/// <summary>
/// Turns SIGINT/SIGTERM into two tokens. coreutils <c>timeout</c> and many service managers signal
/// the child and then its process group, so one stop often arrives as two signals microseconds
/// apart; a second signal during the drain used to get the default action (exit 143, no summary:
/// 20 of 20 runs with a connection held, two kill(1) calls in a row).
/// So every signal within <see cref="RepeatWindow"/> of the first is the same request, and only a
/// later one (a person who does not want to wait for the drain) forces the exit.
/// </summary>
internal sealed class StopRequest(TimeProvider time)
{
    /// <summary>Signals this soon after the first are the same stop request (1 s: far above any
    /// signal-the-group delay, far below a person's second Ctrl+C after seeing nothing happen).</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromSeconds(1);

    // Never disposed: a signal may come at any moment of the process's life, even after the command.
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _force = new();
    private readonly Lock _gate = new();
    private long? _first;

    /// <summary>Fires on the first signal: stop accepting, drain, print the summary.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>Fires on a repeat after the window: reset what is left, print the summary, exit.</summary>
    public CancellationToken Force => _force.Token;

    /// <summary>Records one signal and fires the token it calls for.</summary>
    public StopDecision Receive()
    {
        StopDecision decision;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_first is not { } first)
            {
                _first = now;
                decision = StopDecision.Stop;
            }
            else
            {
                decision = time.GetElapsedTime(first, now) <= RepeatWindow ? StopDecision.Repeat : StopDecision.Force;
            }
        }

        // Outside the lock: cancelling runs the commands' callbacks (closing the listener, resets).
        if (decision == StopDecision.Stop)
        {
            _stop.Cancel();
        }
        else if (decision == StopDecision.Force)
        {
            _force.Cancel();
        }

        return decision;
    }
}
