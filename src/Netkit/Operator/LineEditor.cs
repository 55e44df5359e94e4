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

    /// <summary>Characters a line may hold, as many as a piped line's bytes (<see cref="WordLines.MaxLength"/>); keys past that are refused (<see cref="LineEdit.Full"/>).</summary>
    public const int MaxLength = WordLines.MaxLength;

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
    /// a cut start), and how many columns the cursor stands left of its end. Widths are the
    /// terminal's: a CJK or emoji character takes two columns, a combining mark none. A prompt too
    /// wide for a narrow terminal is cut, so the line never wraps (a wrapped line could not be erased).
    /// </summary>
    public (string Shown, int Back) Render(string prompt, int columns)
    {
        // The prompt leaves at least 9 columns to the line (none of it on a terminal narrower than
        // 11), and one column stays free: a character in the last column makes some terminals wrap early.
        columns = Math.Max(columns, 3);
        prompt = Cut(prompt, Math.Max(columns - 10, 0));
        var room = columns - 1 - Width(prompt, 0, prompt.Length);
        var text = _text.ToString();
        if (Width(text, 0, text.Length) < room)
        {
            _scroll = 0;
            return (prompt + text, Width(text, Cursor, text.Length));
        }

        // Scrolled: a '<' takes the window's first column whenever the start is cut.
        var window = room - 1;
        _scroll = Math.Min(_scroll, Cursor);

        // The earliest start that still shows the cursor: back from it, as far as the window goes.
        var earliest = Cursor;
        for (var used = 0; earliest > 0;)
        {
            var previous = char.IsLowSurrogate(text[earliest - 1]) && earliest > 1 && char.IsHighSurrogate(text[earliest - 2]) ? earliest - 2 : earliest - 1;
            used += Width(text, previous, earliest);
            if (used > window)
            {
                break;
            }

            earliest = previous;
        }

        _scroll = Math.Max(_scroll, earliest);

        var shown = new StringBuilder(prompt);
        if (_scroll > 0)
        {
            shown.Append('<');
        }
        else
        {
            window++; // No mark at the start: one more column is the line's.
        }

        var end = Within(text, _scroll, window);
        shown.Append(text, _scroll, end - _scroll);
        return (shown.ToString(), Width(text, Cursor, end));
    }

    /// <summary>The columns a terminal gives <paramref name="text"/>[<paramref name="from"/>..<paramref name="to"/>].</summary>
    public static int Width(string text, int from, int to)
    {
        var width = 0;
        for (var i = from; i < to; i = Next(text, i))
        {
            width += Rune.TryGetRuneAt(text, i, out var rune) ? Width(rune) : 1;
        }

        return width;
    }

    /// <summary>Columns for one character: 2 for East Asian wide and fullwidth ones and emoji, 0 for the common combining marks and zero-width format characters, else 1.</summary>
    public static int Width(Rune rune)
    {
        var value = rune.Value;
        if (value < 0x300)
        {
            return 1;
        }

        // The combining blocks and the zero-width format characters, by range: the runtime's
        // Unicode category tables would add about 35 KB to the binary for this one question.
        if (value is (>= 0x300 and <= 0x36F) or (>= 0x483 and <= 0x489) or (>= 0x591 and <= 0x5BD) or (>= 0x610 and <= 0x61A)
            or (>= 0x64B and <= 0x65F) or (>= 0x1AB0 and <= 0x1AFF) or (>= 0x1DC0 and <= 0x1DFF) or (>= 0x200B and <= 0x200F)
            or (>= 0x2028 and <= 0x202E) or (>= 0x2060 and <= 0x2064) or (>= 0x20D0 and <= 0x20FF) or (>= 0xFE00 and <= 0xFE0F)
            or (>= 0xFE20 and <= 0xFE2F) or 0xFEFF or (>= 0xE0100 and <= 0xE01EF))
        {
            return 0;
        }

        return value is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0x303E) or (>= 0x3041 and <= 0x33FF) or (>= 0x3400 and <= 0x4DBF)
            or (>= 0x4E00 and <= 0x9FFF) or (>= 0xA000 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1F64F)
            or (>= 0x1F900 and <= 0x1F9FF) or (>= 0x20000 and <= 0x3FFFD)
            ? 2
            : 1;
    }

    // Where the text from `from` stops fitting in that many columns: the index after its last whole character.
    private static int Within(string text, int from, int columns)
    {
        var end = from;
        for (var used = 0; end < text.Length;)
        {
            var next = Next(text, end);
            used += Width(text, end, next);
            if (used > columns)
            {
                break;
            }

            end = next;
        }

        return end;
    }

    // The index after the character at i (a surrogate pair is one).
    private static int Next(string text, int i)
        => i + 1 < text.Length && char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]) ? i + 2 : i + 1;

    // At most that many columns of the prompt's start.
    private static string Cut(string prompt, int columns)
    {
        var end = Within(prompt, 0, columns);
        return end == prompt.Length ? prompt : prompt[..end];
    }

    private LineEdit Type(byte b)
    {
        Span<char> chars = stackalloc char[2];
        var count = _utf8.GetChars([b], chars, flush: false);
        if (count == 0)
        {
            return LineEdit.None; // The middle of a UTF-8 sequence.
        }

        if (_text.Length + count > MaxLength)
        {
            return LineEdit.Full;
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
    /// <summary>A character did not fit: the line holds <see cref="LineEditor.MaxLength"/> already.</summary>
    Full,
}
