using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Netkit.Core.Diagnostics;
using Netkit.Core.Protocols;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// One thread that serves many connections with level-triggered epoll (Linux): non-blocking socket
/// descriptors (see <see cref="LinuxStreamSocket"/>) read and written when epoll says they are ready,
/// one receive buffer for the whole loop, so an idle connection owns no buffer and a message costs
/// no allocation and no thread hop. It may also accept (<see cref="Acceptor"/>). Other threads (the
/// timeout sweep, the operator, the word queue) talk to the loop only through <see cref="Post"/>: a
/// queue and an eventfd. A connection's socket is closed only here, after it left epoll, so a
/// reused descriptor number never reaches the old one.
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeData = ulong.MaxValue;
    private const ulong ListenData = ulong.MaxValue - 1;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly byte* _events;
    private readonly ConcurrentQueue<(LoopConnection? Connection, LoopCommand Command, ReadOnlyMemory<byte>? Word)> _commands = new();
    private readonly List<LoopConnection?> _slots = [];
    private readonly Stack<int> _free = new();
    private readonly List<int> _freedThisRound = [];
    private readonly Thread _thread;
    private readonly Lock _wakeLock = new();
    private readonly TimeProvider _time;
    private readonly ServerCounters _counters;
    private int _wakePending;
    private bool _stop;
    private bool _disposed;
    private bool _closed;

    /// <param name="name">The thread's name (<c>netkit-loop-N</c>).</param>
    /// <param name="options">What every connection of this loop does with a chunk: its read size, and in seed mode what follows the data.</param>
    /// <param name="time">The clock activity is stamped with, read once per round of events.</param>
    /// <param name="counters">The server's totals, which the loop adds its bytes to once per round.</param>
    public EventLoop(string name, TcpServerOptions options, TimeProvider time, ServerCounters counters)
    {
        var seed = options.Mode == TcpServerMode.Seed;
        Ack = seed ? options.AckFrame : ReadOnlyMemory<byte>.Empty;
        AutoReply = seed ? options.AutoReply ?? ReadOnlyMemory<byte>.Empty : ReadOnlyMemory<byte>.Empty;
        ReceiveSize = options.ReceiveSize;

        // A read and its reply: seed mode appends the ack (and --reply's word) behind the data, in place.
        Buffer = new byte[SeedReply.Length(ReceiveSize, Ack.Span, AutoReply.Span)];
        _time = time;
        _counters = counters;
        Now = time.GetTimestamp();
        _epoll = LinuxEpoll.Create();
        if (_epoll < 0)
        {
            throw new IOException("epoll_create1: " + Lowered(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())));
        }

        _wake = LinuxEpoll.CreateEvent();
        if (_wake < 0 || LinuxEpoll.Control(_epoll, LinuxEpoll.Add, _wake, LinuxEpoll.In, WakeData) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = LinuxEpoll.Close(_epoll);
            throw new IOException("eventfd: " + Lowered(Marshal.GetPInvokeErrorMessage(error)));
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LinuxEpoll.EventSize));
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>The loop's one receive buffer; only the loop thread touches it.</summary>
    public byte[] Buffer { get; }

    /// <summary>Bytes one read takes (<c>--receive-size</c>).</summary>
    public int ReceiveSize { get; }

    /// <summary>What seed mode sends after each chunk's data (empty in echo mode).</summary>
    public ReadOnlyMemory<byte> Ack { get; }

    /// <summary>Seed mode's automatic word after the ack (<c>--reply</c>; empty without it).</summary>
    public ReadOnlyMemory<byte> AutoReply { get; }

    /// <summary>The listener this loop accepts on, if it is the accepting loop.</summary>
    public LoopAcceptor? Acceptor { get; set; }

    /// <summary>True on the loop's own thread.</summary>
    public bool IsCurrentThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>The clock's timestamp when this round of events began (loop thread).</summary>
    public long Now { get; private set; }

    /// <summary>Bytes received this round, added to the server's totals at its end (loop thread).</summary>
    public long BytesIn { get; set; }

    /// <summary>The reply times of this loop's connections (the loop's thread writes; a reader elsewhere gets a near-enough copy).</summary>
    public LatencyHistogram ReplyTimes { get; } = new();

    /// <summary>Bytes sent this round, added to the server's totals at its end (loop thread).</summary>
    public long BytesOut { get; set; }

    /// <summary>Asks the loop to do <paramref name="command"/> for <paramref name="connection"/>. Any thread.</summary>
    public void Post(LoopConnection? connection, LoopCommand command, ReadOnlyMemory<byte>? word = null)
    {
        _commands.Enqueue((connection, command, word));
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            // After Dispose the eventfd's number may belong to another file: never write to it.
            // Nothing is left to act on then (the server drained before it disposed its loops).
            lock (_wakeLock)
            {
                if (!_closed)
                {
                    ulong one = 1;
                    _ = LinuxEpoll.Write(_wake, &one, sizeof(ulong));
                }
            }
        }
    }

    /// <summary>Adds a connection's socket to epoll with <paramref name="events"/>; its slot, or -1 with errno.</summary>
    public int Register(LoopConnection connection, int fd, uint events)
    {
        var slot = _free.Count > 0 ? _free.Pop() : AddSlot();
        if (LinuxEpoll.Control(_epoll, LinuxEpoll.Add, fd, events, (ulong)slot) != 0)
        {
            _free.Push(slot);
            return -1;
        }

        _slots[slot] = connection;
        return slot;
    }

    /// <summary>Adds the listening socket to epoll (<paramref name="exclusive"/>: shared with other
    /// loops, one woken per connection), or takes it out; false when epoll refused.</summary>
    public bool WatchListener(int fd, bool watch, bool exclusive) =>
        LinuxEpoll.Control(_epoll, watch ? LinuxEpoll.Add : LinuxEpoll.Delete, fd, exclusive ? LinuxEpoll.In | LinuxEpoll.Exclusive : LinuxEpoll.In, ListenData) == 0;

    /// <summary>Changes what epoll watches for on a registered socket.</summary>
    public void Watch(int fd, int slot, uint events) => _ = LinuxEpoll.Control(_epoll, LinuxEpoll.Modify, fd, events, (ulong)slot);

    /// <summary>Takes a socket out of epoll, before it is closed; its slot is reused after this round of events.</summary>
    public void Unregister(int fd, int slot)
    {
        _ = LinuxEpoll.Control(_epoll, LinuxEpoll.Delete, fd, 0, 0);
        _slots[slot] = null;
        _freedThisRound.Add(slot);
    }

    /// <summary>Stops the thread once the commands posted so far are done. Call after the server drained.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Post(null!, LoopCommand.Stop);
        _thread.Join();

        lock (_wakeLock)
        {
            _closed = true;
            _ = LinuxEpoll.Close(_wake);
        }

        _ = LinuxEpoll.Close(_epoll);
        NativeMemory.Free(_events);
    }

    private static string Lowered(string message) => message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;

    private int AddSlot()
    {
        _slots.Add(null);
        return _slots.Count - 1;
    }

    private void Run()
    {
        while (!_stop)
        {
            var count = LinuxEpoll.Wait(_epoll, _events, MaxEvents, -1);
            Now = _time.GetTimestamp();
            if (count < 0)
            {
                // EINTR (a signal) is routine; anything else is a broken epoll descriptor, which no
                // retry mends: the commands still run, so connections can at least be closed.
                if (Marshal.GetLastPInvokeError() != LinuxEpoll.Eintr)
                {
                    RunCommands();
                    Thread.Sleep(10);
                }

                continue;
            }

            for (var i = 0; i < count; i++)
            {
                var data = LinuxEpoll.DataAt(_events, i);
                if (data == WakeData)
                {
                    RunCommands();
                }
                else if (data == ListenData)
                {
                    try
                    {
                        Acceptor?.OnReadable();
                    }
                    catch (Exception)
                    {
                        // A logger that throws: the connection it was about is the server's already;
                        // accepting goes on at the next readiness.
                    }
                }
                else if (_slots[(int)data] is { } connection)
                {
                    try
                    {
                        connection.OnEvents(LinuxEpoll.EventsAt(_events, i));
                    }
                    catch (Exception)
                    {
                        // Even closing it failed (a logger that throws): it must not take the loop down.
                        connection.Abandon();
                    }
                }
            }

            // Only now: an event later in this round for a slot freed earlier must find it empty.
            foreach (var slot in _freedThisRound)
            {
                _free.Push(slot);
            }

            _freedThisRound.Clear();
            AddUpTotals();
        }

        // Stopped with connections left (the server drains before it stops its loops): close them.
        foreach (var connection in _slots)
        {
            connection?.AbortNow("server stopping");
        }

        AddUpTotals();
    }

    private void AddUpTotals()
    {
        if (BytesIn != 0)
        {
            _counters.AddBytesIn(BytesIn);
            BytesIn = 0;
        }

        if (BytesOut != 0)
        {
            _counters.AddBytesOut(BytesOut);
            BytesOut = 0;
        }
    }

    private void RunCommands()
    {
        ulong value;
        _ = LinuxEpoll.Read(_wake, &value, sizeof(ulong));
        Volatile.Write(ref _wakePending, 0);
        while (_commands.TryDequeue(out var item))
        {
            try
            {
                RunCommand(item.Connection, item.Command, item.Word);
            }
            catch (Exception)
            {
                item.Connection?.Abandon();
            }
        }
    }

    private void RunCommand(LoopConnection? connection, LoopCommand command, ReadOnlyMemory<byte>? word)
    {
        switch (command)
        {
            case LoopCommand.Stop:
                _stop = true;
                break;
            case LoopCommand.Listen:
                Acceptor?.Listen();
                break;
            case LoopCommand.StopListening:
                Acceptor?.StopListening();
                break;
            case LoopCommand.Start:
                connection!.Start();
                break;
            case LoopCommand.Abort:
                connection!.AbortNow(null);
                break;
            case LoopCommand.Word:
                connection!.OnWord(word);
                break;
        }
    }
}

/// <summary>What another thread asks an <see cref="EventLoop"/> to do.</summary>
internal enum LoopCommand
{
    /// <summary>Register a new connection and start serving it.</summary>
    Start,

    /// <summary>Reset and close a connection (kicked, timed out, server stopping).</summary>
    Abort,

    /// <summary>The operator's word for a waiting connection arrived (or none will: null).</summary>
    Word,

    /// <summary>End the loop's thread.</summary>
    Stop,

    /// <summary>Watch the listener (<see cref="EventLoop.Acceptor"/>): start accepting, or again after a pause.</summary>
    Listen,

    /// <summary>Stop accepting for good.</summary>
    StopListening,
}
