using System.Text;

namespace Netkit.Output;

/// <summary>
/// stderr that never blocks its caller. A log sink that stops reading (a terminal paused with
/// Ctrl+S, a wedged journald or log shipper) fills the pipe; a blocking write then stalls the
/// console logger's queue, then every logging call, and since socket completions run inline on
/// the epoll thread, every connection: the server stopped answering after about a thousand
/// clients. Here a write only appends whole lines to a bounded in-memory queue; one background
/// thread does the blocking writes to the real stream. A line the queue has no room for is
/// dropped and counted, so a summary can say how many. Line-oriented on purpose: every queued
/// item is one whole line (or a prompt handed over by <see cref="Flush"/>), never a fragment of
/// one, so another line format (JSON per line) can rely on it.
/// It also keeps the one line that is rewritten in place (a transfer's progress, see
/// <see cref="SetTransient"/>), so that every other line passes through the same place and none
/// runs into it.
/// </summary>
internal sealed class LineQueueWriter : TextWriter
{
    /// <summary>Characters queued at most (128 KiB): about a thousand ordinary log lines, on top of
    /// the 64 KiB a pipe holds; enough for a burst, and a stalled sink costs no more memory than that.</summary>
    public const int DefaultCapacity = 64 * 1024;

    /// <summary>Room past the bound for the lines a run must not lose (<see cref="WriteLineKept"/>).</summary>
    private const int KeptReserve = 16 * 1024;

    /// <summary>How long the process may wait at exit for a slow stderr to take the last lines.</summary>
    public static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(1);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    // Back to the start of the line, and erase it: what takes a transient line off the terminal.
    private const string Erase = "\r\u001b[K";

    private readonly Func<Stream> _open;
    private Stream? _target;
    private readonly int _capacity;
    private readonly Queue<string> _lines = new();
    private readonly StringBuilder _partial = new();
    private readonly Lock _gate = new();

    // Wakes the pump when lines arrive, and Drain when the pump has written a batch.
    private readonly SemaphoreSlim _queued = new(0);
    private readonly ManualResetEventSlim _idle = new(initialState: true);
    private string? _transient;
    private int _transientBack;
    private bool _transientChanged;

    // The pump's own: whether the transient line is on the terminal now, and whether the last
    // thing written ended a line (a prompt does not: a transient drawn after it would overwrite it).
    private bool _transientShown;
    private bool _atLineStart = true;
    private int _queuedChars;
    private long _dropped;
    private bool _closed;

    /// <param name="target">Where the lines go; written only by the background thread.</param>
    /// <param name="capacity">Characters the queue holds at most before lines are dropped.</param>
    public LineQueueWriter(Stream target, int capacity = DefaultCapacity)
        : this(() => target, capacity)
    {
    }

    /// <param name="open">Opens where the lines go, on the background thread, before its first
    /// write: an open that blocks (a FIFO nobody reads) holds up no caller. If it fails, every line
    /// is dropped and counted.</param>
    /// <param name="capacity">Characters the queue holds at most before lines are dropped.</param>
    public LineQueueWriter(Func<Stream> open, int capacity)
    {
        _open = open;
        _capacity = capacity;
        new Thread(Pump) { IsBackground = true, Name = "netkit stderr" }.Start();
    }

    public override Encoding Encoding => Utf8;

    /// <summary>Lines dropped so far: no room in the queue, or the real stream refused them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Makes this the process's <see cref="Console.Error"/>, over the real stderr, drained at exit
    /// (however the process ends: from Main or by Environment.Exit) within <see cref="ExitBound"/>.
    /// Call before any logger is built: the console logger takes <see cref="Console.Error"/> once,
    /// when its provider is made.
    /// </summary>
    public static LineQueueWriter InstallAsStderr()
    {
        var writer = new LineQueueWriter(StandardOutput.OpenError());
        Console.SetError(writer);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => writer.Drain(ExitBound);
        return writer;
    }

    /// <summary>
    /// Writes a line a run must not lose to a full queue (its summary, its one error line): it
    /// may go past the bound, into a small reserve. On any other writer it is a plain WriteLine.
    /// </summary>
    public static void WriteLineKept(TextWriter writer, string line)
    {
        if (writer is LineQueueWriter queue)
        {
            queue.Append(line.AsSpan(), newLine: true, kept: true);
        }
        else
        {
            writer.WriteLine(line);
        }
    }

    public override void Write(char value) => Append([value], newLine: false, kept: false);

    public override void Write(string? value) => Append(value.AsSpan(), newLine: false, kept: false);

    public override void Write(char[] buffer, int index, int count) => Append(buffer.AsSpan(index, count), newLine: false, kept: false);

    public override void Write(ReadOnlySpan<char> buffer) => Append(buffer, newLine: false, kept: false);

    // The text and its newline in one step, so lines written from two threads never interleave.
    public override void WriteLine(string? value) => Append(value.AsSpan(), newLine: true, kept: false);

    public override void WriteLine(ReadOnlySpan<char> buffer) => Append(buffer, newLine: true, kept: false);

    /// <summary>Hands a line written so far without its newline (a prompt) to the queue; never waits.</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            if (_partial.Length > 0)
            {
                Enqueue(_partial.ToString(), kept: false);
                _partial.Clear();
            }
        }
    }

    /// <summary>
    /// Shows <paramref name="line"/> (no newline, no control characters) as the last line of the
    /// terminal, in place of the one shown before; null takes it off. Every other line written
    /// while it is shown first erases it (<c>CR ESC[K</c>), and it is drawn again after them, so
    /// the two never run into each other. Only the latest one matters: an update the pump has not
    /// drawn yet is replaced, never queued. For a terminal only: the sequences mean nothing elsewhere.
    /// The cursor is left at its end, or <paramref name="back"/> columns left of it (the operator's
    /// cursor in a line being edited).
    /// </summary>
    public void SetTransient(string? line, int back = 0)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _transient = line;
            _transientBack = back;
            _transientChanged = true;
            _idle.Reset();
        }

        _queued.Release();
    }

    /// <summary>
    /// Takes the transient line away without erasing it: the terminal is no longer netkit's to draw
    /// on (netkit went to the background) or someone else redraws it. The next line is written where
    /// the cursor is.
    /// </summary>
    public void ForgetTransient()
    {
        lock (_gate)
        {
            _transient = null;
            _transientShown = false;
            _transientChanged = false;
        }
    }

    /// <summary>
    /// Stops taking lines and waits until the queued ones are written, at most <paramref name="bound"/>:
    /// a stalled stderr must never keep the process alive. True when everything was written.
    /// </summary>
    public bool Drain(TimeSpan bound)
    {
        lock (_gate)
        {
            if (_partial.Length > 0)
            {
                Enqueue(_partial.ToString(), kept: true);
                _partial.Clear();
            }

            // A transient line still shown stays, as an ordinary line: the shell's prompt comes after it.
            if (_transient is not null)
            {
                Enqueue(_transient + new string(CoreNewLine), kept: true);
                _transient = null;
            }

            _closed = true;
        }

        _queued.Release();
        return _idle.Wait(bound);
    }

    private void Append(ReadOnlySpan<char> text, bool newLine, bool kept)
    {
        lock (_gate)
        {
            int end;
            while ((end = text.IndexOf('\n')) >= 0)
            {
                Cut(text[..(end + 1)], kept);
                text = text[(end + 1)..];
            }

            _partial.Append(text);
            if (newLine)
            {
                Cut(CoreNewLine, kept);
            }
        }
    }

    // The end of a line: what was written of it so far plus this last piece.
    private void Cut(ReadOnlySpan<char> last, bool kept)
    {
        string line;
        if (_partial.Length == 0)
        {
            line = new string(last);
        }
        else
        {
            line = _partial.Append(last).ToString();
            _partial.Clear();
        }

        Enqueue(line, kept);
    }

    private void Enqueue(string line, bool kept)
    {
        // A kept line may pass the bound, but not without limit: one or two per run is all there is.
        var room = kept ? _capacity + KeptReserve : _capacity;
        if (_closed || _queuedChars + line.Length > room)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _lines.Enqueue(line);
        _queuedChars += line.Length;
        _idle.Reset();
        _queued.Release();
    }

    // What the pump writes next, under the gate: the queued lines, with the transient line taken
    // off the terminal before them and drawn again after them.
    private void Compose(StringBuilder batch)
    {
        if (_transientShown)
        {
            batch.Append(Erase);
            _transientShown = false;
            _atLineStart = true;
        }

        while (_lines.TryDequeue(out var line))
        {
            batch.Append(line);
            _atLineStart = line.EndsWith('\n');
        }

        _queuedChars = 0;
        _transientChanged = false;
        if (_transient is not null && _atLineStart)
        {
            batch.Append(_transient);
            if (_transientBack > 0)
            {
                batch.Append("\u001b[").Append(_transientBack).Append('D');
            }

            _transientShown = true;
        }
    }

    private void Pump()
    {
        var batch = new StringBuilder();
        while (true)
        {
            _queued.Wait();
            int lines;
            lock (_gate)
            {
                lines = _lines.Count;
                if (lines == 0 && !_transientChanged)
                {
                    _idle.Set();
                    if (_closed)
                    {
                        return;
                    }

                    continue;
                }

                Compose(batch);
            }

            try
            {
                // One write for everything queued meanwhile: a slow sink gets few, large writes.
                _target ??= _open();
                _target.Write(Utf8.GetBytes(batch.ToString()));
                _target.Flush();
            }
            catch (Exception e) when (e is IOException or OutputException or UnauthorizedAccessException or NotSupportedException)
            {
                // stderr is full (ENOSPC) or not writable (EBADF): these lines are lost, and counted.
                Interlocked.Add(ref _dropped, lines);
            }

            batch.Clear();
            lock (_gate)
            {
                if (_lines.Count == 0 && !_transientChanged)
                {
                    _idle.Set();
                    if (_closed)
                    {
                        return;
                    }
                }
            }
        }
    }
}
