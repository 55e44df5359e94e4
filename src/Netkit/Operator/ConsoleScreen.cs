using Netkit.Core.Tcp;
using Netkit.Native;
using Netkit.Output;

namespace Netkit.Operator;

/// <summary>
/// The operator's input line at the bottom of the terminal, below the log lines that scroll above
/// it: stderr's transient line (<see cref="LineQueueWriter.SetTransient"/>), so every log line
/// first takes it away and it is drawn again after them, half-typed text and cursor intact. The
/// prompt is asked of <see cref="_prompt"/> each time it is drawn (it names the client a word
/// would answer), and a submitted line stays on the screen after its prompt, as a shell's does.
/// Keys come from <see cref="TerminalInput"/>'s thread; <see cref="Refresh"/> and
/// <see cref="Close"/> may come from any.
/// </summary>
internal sealed class ConsoleScreen(LineQueueWriter stderr, TerminalMode mode, Func<string> prompt, Func<string, ConsoleCompletion.Result> complete)
{
    private readonly LineEditor _editor = new();
    private readonly Lock _gate = new();
    private readonly Func<string> _prompt = prompt;
    private string? _shown;
    private bool _hidden;
    private bool _closed;
    private bool _full;

    /// <summary>Takes what the terminal sent; whole lines go to <paramref name="lines"/>. False at the end of input (Ctrl+D on an empty line).</summary>
    public bool Feed(ReadOnlySpan<byte> keys, HandOff<string> lines)
    {
        lock (_gate)
        {
            foreach (var key in keys)
            {
                switch (_editor.Feed(key))
                {
                    case LineEdit.Full when !_full:
                        _full = true;
                        stderr.WriteLine($"the line is full ({LineEditor.MaxLength} characters): what was typed past it is not in it; Enter sends what is");
                        break;
                    case LineEdit.Submit:
                        _full = false;
                        var text = _editor.Take();
                        stderr.WriteLine(_prompt() + Shortened(text));
                        lines.TryWrite(text);
                        break;
                    case LineEdit.EndOfInput:
                        Draw(force: false);
                        return false;
                    case LineEdit.Complete:
                        Complete();
                        break;
                    case LineEdit.Redraw:
                        _shown = null;
                        break;
                }
            }

            Draw(force: false);
            return true;
        }
    }

    /// <summary>Draws the line again if its prompt changed (a client started or stopped waiting) or the
    /// terminal is back in the foreground in line mode (after Ctrl+Z and fg).</summary>
    public void Refresh()
    {
        if (!TerminalInput.IsForeground())
        {
            return;
        }

        var reasserted = mode.Reassert();
        lock (_gate)
        {
            var again = reasserted || _hidden;
            _hidden = false;
            Draw(force: again);
        }
    }

    /// <summary>netkit went to the background: the terminal is the shell's, nothing is drawn on it.</summary>
    public void Hide()
    {
        lock (_gate)
        {
            _hidden = true;
            _shown = null;
            stderr.ForgetTransient();
        }
    }

    /// <summary>The console is done (its input ended, the server stops): the line is taken off and the terminal's modes put back. Idempotent.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            if (!_hidden)
            {
                stderr.SetTransient(null);
            }

            mode.Restore();
        }
    }

    // What stays on the screen of a submitted line: all of it up to a screenful, else its start and
    // its length (a 64K line would not fit stderr's queue, and nobody reads it back there).
    private static string Shortened(string text) => text.Length <= 2000
        ? text
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{text[..1000]}... ({text.Length} characters sent)");

    private void Complete()
    {
        var before = _editor.Text[.._editor.Cursor];
        var result = complete(before);
        if (result.Choices.Count > 1)
        {
            stderr.WriteLine("  " + string.Join("  ", result.Choices));
        }

        if (result.Completed != before)
        {
            var after = _editor.Text[_editor.Cursor..];
            _editor.Set(result.Completed + after, result.Completed.Length);
        }
    }

    private void Draw(bool force)
    {
        if (_closed || _hidden)
        {
            return;
        }

        var (shown, back) = _editor.Render(_prompt(), Libc.TerminalColumns(2) ?? 80);
        var key = shown + "\0" + back;
        if (force || key != _shown)
        {
            _shown = key;
            stderr.SetTransient(shown, back);
        }
    }
}
