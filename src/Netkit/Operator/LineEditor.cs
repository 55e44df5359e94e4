using System.Text;

namespace Netkit.Operator;

/// <summary>
/// The operator's input line, edited key by key from the bytes a terminal in non-canonical mode
/// sends (UTF-8 text, control keys, the ESC sequences of xterm, VT100 and the Linux console):
/// left and right, Home and End (and Ctrl+A, Ctrl+E), Backspace and Delete, Ctrl+U and Ctrl+K
/// (delete to the start, to the end), Ctrl+W (the word before the cursor), up and down through the
/// history, Tab, Enter, and Ctrl+D (the end of input on an empty line, else Delete). It only keeps
/// the line: drawing it is <see cref="Render"/>'s answer, and showing that is the caller's.
/// Not thread-safe: one reader feeds it.
/// </summary>
internal sealed class LineEditor
{
    /// <summary>Lines kept for up and down.</summary>
    public const int HistoryLength = 100;

    /// <summary>Characters a line may hold; keys past that are ignored (a word is at most a line of a pipe).</summary>
    public const int MaxLength = 4096;

    private readonly StringBuilder _text = new();
    private readonly List<string> _history = [];
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private readonly byte[] _sequence = new byte[16];
    private int _sequenceLength;
    private int _historyIndex;
    private string _unsent = "";
    private int _scroll;

    /// <summary>The line as typed so far.</summary>
    public string Text => _text.ToString();

    /// <summary>Where the cursor is, in characters from the start of the line.</summary>
    public int Cursor { get; private set; }

    /// <summary>Takes one byte from the terminal; says what the caller has to do about it.</summary>
    public LineEdit Feed(byte b)
    {
        if (_sequenceLength > 0)
        {
            return Escape(b);
        }

        switch (b)
        {
            case 0x1b:
                _sequence[0] = b;
                _sequenceLength = 1;
                return LineEdit.None;
            case (byte)'\r' or (byte)'\n':
                return LineEdit.Submit;
            case (byte)'\t':
                return LineEdit.Complete;
            case 0x04: // Ctrl+D
                return _text.Length == 0 ? LineEdit.EndOfInput : Delete();
            case 0x01: // Ctrl+A
                return Move(0);
            case 0x05: // Ctrl+E
                return Move(_text.Length);
            case 0x02: // Ctrl+B
                return Move(Step(-1));
            case 0x06: // Ctrl+F
                return Move(Step(1));
            case 0x7f or 0x08: // Backspace (DEL or ^H)
                return Backspace();
            case 0x15: // Ctrl+U
                return Cut(0, Cursor, 0);
            case 0x0b: // Ctrl+K
                return Cut(Cursor, _text.Length, Cursor);
            case 0x17: // Ctrl+W
                return Cut(WordStart(), Cursor, WordStart());
            case 0x0c: // Ctrl+L
                return LineEdit.Redraw;
            case 0x10: // Ctrl+P
                return Recall(-1);
            case 0x0e: // Ctrl+N
                return Recall(1);
            case < 0x20:
                return LineEdit.None; // Other control keys mean nothing here.
            default:
                return Type(b);
        }
    }

    /// <summary>The line just submitted (Enter): returned, kept in the history, and the line emptied.</summary>
    public string Take()
    {
        var line = _text.ToString();
        if (line.Length > 0 && (_history.Count == 0 || _history[^1] != line))
        {
            if (_history.Count == HistoryLength)
            {
                _history.RemoveAt(0);
            }

            _history.Add(line);
        }

        _historyIndex = _history.Count;
        _unsent = "";
        Set("", 0);
        return line;
    }

    /// <summary>Replaces the line (a completion), the cursor at <paramref name="cursor"/>.</summary>
    public void Set(string text, int cursor)
    {
        _text.Clear().Append(text.Length > MaxLength ? text[..MaxLength] : text);
        Cursor = Math.Clamp(cursor, 0, _text.Length);
    }

    /// <summary>
    /// What the terminal's last line shows: <paramref name="prompt"/> and as much of the line as fits
    /// in <paramref name="columns"/> (scrolled sideways to keep the cursor in sight, <c>&lt;</c> marking
    /// a cut start), and how many columns the cursor stands left of its end.
    /// </summary>
    public (string Shown, int Back) Render(string prompt, int columns)
    {
        // One column stays free: a character in the last column makes some terminals wrap early.
        var room = Math.Max(columns - 1 - prompt.Length, 8);
        if (_text.Length < room)
        {
            _scroll = 0;
            return (prompt + _text, _text.Length - Cursor);
        }

        // Scrolled: a '<' takes the first column of the window; the cursor stays in it.
        var window = room - 1;
        if (Cursor < _scroll)
        {
            _scroll = Cursor;
        }
        else if (Cursor > _scroll + window)
        {
            _scroll = Cursor - window;
        }

        _scroll = Math.Clamp(_scroll, 0, Math.Max(_text.Length - window, 0));
        var shown = new StringBuilder(prompt);
        if (_scroll > 0)
        {
            shown.Append('<');
        }
        else
        {
            window++; // No mark at the start: one more character fits.
        }

        var end = Math.Min(_scroll + window, _text.Length);
        shown.Append(_text, _scroll, end - _scroll);
        return (shown.ToString(), end - Cursor);
    }

    private LineEdit Type(byte b)
    {
        Span<char> chars = stackalloc char[2];
        var count = _utf8.GetChars([b], chars, flush: false);
        if (count == 0 || _text.Length + count > MaxLength)
        {
            return LineEdit.None; // The middle of a UTF-8 sequence, or no room.
        }

        _text.Insert(Cursor, chars[..count]);
        Cursor += count;
        return LineEdit.Changed;
    }

    // ESC [ ... final, ESC O final: the keys that matter; any other sequence is swallowed whole.
    private LineEdit Escape(byte b)
    {
        _sequence[_sequenceLength++] = b;
        if (_sequenceLength == 2)
        {
            if (b is (byte)'[' or (byte)'O')
            {
                return LineEdit.None;
            }

            _sequenceLength = 0;
            return LineEdit.None; // ESC and a key (Alt+key): not an editing key here.
        }

        // Parameters and intermediates (0x20-0x3f) go on; a final byte (0x40-0x7e) ends it.
        if (b is >= 0x20 and < 0x40 && _sequenceLength < _sequence.Length)
        {
            return LineEdit.None;
        }

        var sequence = Encoding.ASCII.GetString(_sequence, 1, _sequenceLength - 1);
        _sequenceLength = 0;
        return sequence switch
        {
            "[D" or "OD" => Move(Step(-1)),
            "[C" or "OC" => Move(Step(1)),
            "[H" or "OH" or "[1~" or "[7~" => Move(0),
            "[F" or "OF" or "[4~" or "[8~" => Move(_text.Length),
            "[A" or "OA" => Recall(-1),
            "[B" or "OB" => Recall(1),
            "[3~" => Delete(),
            _ => LineEdit.None,
        };
    }

    private LineEdit Move(int to)
    {
        if (to == Cursor)
        {
            return LineEdit.None;
        }

        Cursor = to;
        return LineEdit.Changed;
    }

    // One character left or right, a surrogate pair as one.
    private int Step(int direction)
    {
        var to = Math.Clamp(Cursor + direction, 0, _text.Length);
        if (to > 0 && to < _text.Length && char.IsLowSurrogate(_text[to]) && char.IsHighSurrogate(_text[to - 1]))
        {
            to += direction;
        }

        return to;
    }

    private LineEdit Backspace()
    {
        var from = Step(-1);
        return from == Cursor ? LineEdit.None : Cut(from, Cursor, from);
    }

    private LineEdit Delete()
    {
        var to = Step(1);
        return to == Cursor ? LineEdit.None : Cut(Cursor, to, Cursor);
    }

    private LineEdit Cut(int from, int to, int cursor)
    {
        if (from >= to)
        {
            return LineEdit.None;
        }

        _text.Remove(from, to - from);
        Cursor = cursor;
        return LineEdit.Changed;
    }

    // Where Ctrl+W cuts from: back over spaces, then over the word.
    private int WordStart()
    {
        var i = Cursor;
        while (i > 0 && _text[i - 1] == ' ')
        {
            i--;
        }

        while (i > 0 && _text[i - 1] != ' ')
        {
            i--;
        }

        return i;
    }

    // Up (-1) and down (+1) through the history; below its end is the line being typed.
    private LineEdit Recall(int direction)
    {
        var to = Math.Clamp(_historyIndex + direction, 0, _history.Count);
        if (to == _historyIndex)
        {
            return LineEdit.None;
        }

        if (_historyIndex == _history.Count)
        {
            _unsent = _text.ToString();
        }

        _historyIndex = to;
        var line = to == _history.Count ? _unsent : _history[to];
        Set(line, line.Length);
        return LineEdit.Changed;
    }
}

/// <summary>What a key asks of the one who shows the line.</summary>
internal enum LineEdit
{
    /// <summary>Nothing shown changed.</summary>
    None,
    /// <summary>The line or the cursor changed: show it again.</summary>
    Changed,
    /// <summary>Enter: take the line (<see cref="LineEditor.Take"/>).</summary>
    Submit,
    /// <summary>Tab: complete the word before the cursor.</summary>
    Complete,
    /// <summary>Ctrl+D on an empty line: the operator's input ends.</summary>
    EndOfInput,
    /// <summary>Ctrl+L: draw the line again.</summary>
    Redraw,
}
