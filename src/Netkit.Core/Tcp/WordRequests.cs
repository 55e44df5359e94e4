
namespace Netkit.Core.Tcp;

/// <summary>
/// The one owner of "a connection waits for its operator word" in seed mode. A connection that has
/// sent a chunk's data and ack waits here, reading nothing more, until the operator answers it — the
/// tutorial's strict order per connection: chunk, data + ack, word, next chunk. Connections are
/// independent: each waits for its own word, concurrently with the others.
/// <para>
/// Nothing here can lose a waiting client: every connection waits for at most one word at a time,
/// so the queue holds at most one entry per live connection and needs no bound of its own. An entry
/// leaves it in exactly one of four ways: answered (<see cref="AnswerNextAsync"/>,
/// <see cref="AnswerLatest"/>, <see cref="Answer"/>, <see cref="AnswerAll"/>), released because no
/// word will come (<see cref="End"/>, <see cref="Suspend"/>), or withdrawn because its connection was
/// closed. Answered and released waits are counted.
/// </para>
/// </summary>
public sealed class WordRequests
{
    private readonly Lock _gate = new();
    private WordTicket? _oldest;
    private WordTicket? _latest;
    private int _waiting;
    private bool _ended;
    private bool _suspended;
    private TaskCompletionSource? _arrival;
    private HandOff<WordWait>? _waits;

    // Words handed to a connection that turned out to be gone (reset while the word was on its way):
    // they go to the next chunk that waits, so no live client goes without while a word is lost.
    private readonly Queue<ReadOnlyMemory<byte>> _returned = new();
    private long _answered;
    private long _released;

    /// <summary>Connections waiting for a word now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Words handed to a waiting connection so far.</summary>
    public long Answered => Volatile.Read(ref _answered);

    /// <summary>Waits ended without a word (the operator's input ended, or netkit went to the background).</summary>
    public long Released => Volatile.Read(ref _released);

    /// <summary>True once <see cref="End"/> was called: no connection waits for a word any more.</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>The connection that started waiting last (the one a terminal operator's word answers), or 0 when none waits.</summary>
    public int LatestWaiting
    {
        get
        {
            lock (_gate)
            {
                return _latest?.Id ?? 0;
            }
        }
    }

    /// <summary>The connections waiting now, longest first.</summary>
    public IReadOnlyList<int> WaitingIds()
    {
        lock (_gate)
        {
            var ids = new List<int>(_waiting);
            for (var t = _oldest; t is not null; t = t.Next)
            {
                ids.Add(t.Id);
            }

            return ids;
        }
    }

    /// <summary>True when connection <paramref name="id"/> waits for a word.</summary>
    public bool IsWaiting(int id)
    {
        lock (_gate)
        {
            return Find(id) is not null;
        }
    }

    /// <summary>
    /// From now on, every connection that starts waiting is written to the returned reader
    /// (a console prompts with it); it completes at <see cref="End"/>. It grows only as fast as the
    /// operator answers (each connection waits once per answered chunk), so it is unbounded.
    /// </summary>
    public HandOff<WordWait> WatchWaits()
    {
        lock (_gate)
        {
            _waits ??= new HandOff<WordWait>();
            if (_ended)
            {
                _waits.Complete();
            }

            return _waits;
        }
    }

    /// <summary>
    /// Gives <paramref name="word"/> to the connection that has waited longest (piped input: each line
    /// answers the next chunk in order), waiting until one does; returns its id, or 0 when no
    /// connection will ever wait again (<see cref="End"/>).
    /// </summary>
    public async Task<int> AnswerNextAsync(ReadOnlyMemory<byte> word, CancellationToken cancellationToken)
    {
        while (true)
        {
            var arrival = Task.CompletedTask;
            WordTicket? ticket;
            lock (_gate)
            {
                if (_ended)
                {
                    return 0;
                }

                ticket = _oldest;
                if (ticket is not null)
                {
                    Unlink(ticket);
                    _answered++;
                }
                else
                {
                    _arrival ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    arrival = _arrival.Task;
                }
            }

            if (ticket is not null)
            {
                ticket.Complete(word);
                return ticket.Id;
            }

            await arrival.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives <paramref name="word"/> to the connection that started waiting last (a terminal
    /// operator answers the chunk just shown); returns its id, or null when none waits.</summary>
    public int? AnswerLatest(ReadOnlyMemory<byte> word) => Take(_ => _latest, word)?.Id;

    /// <summary>Gives <paramref name="word"/> to connection <paramref name="id"/>; false when it does not wait for one.</summary>
    public bool Answer(int id, ReadOnlyMemory<byte> word) => Take(w => w.Find(id), word) is not null;

    /// <summary>Gives <paramref name="word"/> to every waiting connection; returns how many.</summary>
    public int AnswerAll(ReadOnlyMemory<byte> word) => Drain(word, ref _answered);

    /// <summary>The operator's input ended: every waiting connection goes on without its word, and no
    /// connection will wait again. Returns how many were released.</summary>
    public int End()
    {
        lock (_gate)
        {
            _ended = true;
            _returned.Clear();
            _waits?.Complete();
            _arrival?.TrySetResult();
        }

        return Drain(null, ref _released);
    }

    /// <summary>No operator for now (netkit went to the background): waiting connections go on
    /// without a word and new chunks do not wait, until <see cref="Resume"/>. Returns how many were released.</summary>
    public int Suspend()
    {
        lock (_gate)
        {
            _suspended = true;
        }

        return Drain(null, ref _released);
    }

    /// <summary>The operator is back: chunks wait for their word again (unless <see cref="End"/> was called).</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _suspended = false;
        }
    }

    /// <summary>Waits for the word that answers the chunk just sent; null when none will come.</summary>
    internal ValueTask<ReadOnlyMemory<byte>?> WaitAsync(WordTicket ticket)
    {
        lock (_gate)
        {
            if (_ended || _suspended)
            {
                return new ValueTask<ReadOnlyMemory<byte>?>((ReadOnlyMemory<byte>?)null);
            }

            if (_returned.TryDequeue(out var returned))
            {
                _answered++;
                return new ValueTask<ReadOnlyMemory<byte>?>(returned);
            }

            var wait = ticket.Begin();
            ticket.Previous = _latest;
            ticket.Next = null;
            if (_latest is null)
            {
                _oldest = ticket;
            }
            else
            {
                _latest.Next = ticket;
            }

            _latest = ticket;
            ticket.Queued = true;
            _waiting++;
            _waits?.TryWrite(new WordWait(ticket.Id));
            _arrival?.TrySetResult();
            _arrival = null;
            return wait;
        }
    }

    /// <summary>A word handed over could not be sent (its connection reset on the way): not counted as
    /// sent, and given to the connection that waits longest, or else the next one to wait.</summary>
    internal void Return(ReadOnlyMemory<byte> word)
    {
        WordTicket? ticket;
        lock (_gate)
        {
            _answered--;
            if (_ended)
            {
                return;
            }

            ticket = _oldest;
            if (ticket is null)
            {
                _returned.Enqueue(word);
                return;
            }

            Unlink(ticket);
            _answered++;
        }

        ticket.Complete(word);
    }

    /// <summary>The connection is closing: its wait, if any, ends without a word (not counted as released).</summary>
    internal void Withdraw(WordTicket ticket)
    {
        lock (_gate)
        {
            if (!ticket.Queued)
            {
                return;
            }

            Unlink(ticket);
        }

        ticket.Complete(null);
    }

    private WordTicket? Take(Func<WordRequests, WordTicket?> choose, ReadOnlyMemory<byte> word)
    {
        WordTicket? ticket;
        lock (_gate)
        {
            ticket = choose(this);
            if (ticket is null)
            {
                return null;
            }

            Unlink(ticket);
            _answered++;
        }

        ticket.Complete(word);
        return ticket;
    }

    // Empties the queue, completing every wait with the same outcome and counting it in one counter.
    private int Drain(ReadOnlyMemory<byte>? word, ref long counter)
    {
        var taken = new List<WordTicket>();
        lock (_gate)
        {
            while (_oldest is { } ticket)
            {
                Unlink(ticket);
                taken.Add(ticket);
            }

            counter += taken.Count;
        }

        foreach (var ticket in taken)
        {
            ticket.Complete(word);
        }

        return taken.Count;
    }

    private WordTicket? Find(int id)
    {
        for (var ticket = _latest; ticket is not null; ticket = ticket.Previous)
        {
            if (ticket.Id == id)
            {
                return ticket;
            }
        }

        return null;
    }

    private void Unlink(WordTicket ticket)
    {
        if (ticket.Previous is null)
        {
            _oldest = ticket.Next;
        }
        else
        {
            ticket.Previous.Next = ticket.Next;
        }

        if (ticket.Next is null)
        {
            _latest = ticket.Previous;
        }
        else
        {
            ticket.Next.Previous = ticket.Previous;
        }

        ticket.Previous = null;
        ticket.Next = null;
        ticket.Queued = false;
        _waiting--;
    }
}
