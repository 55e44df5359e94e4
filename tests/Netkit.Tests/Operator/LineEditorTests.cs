using System.Text;
using Netkit.Operator;

namespace Netkit.Tests.Operator;

/// <summary>The operator's line editor, fed the bytes a terminal sends for each key.</summary>
public sealed class LineEditorTests
{
    private const string Left = "\u001b[D";
    private const string Right = "\u001b[C";
    private const string Up = "\u001b[A";
    private const string Down = "\u001b[B";

    [Theory]
    [InlineData("hello", "hello", 5)]
    [InlineData("world\u0001hello ", "hello world", 6)] // Ctrl+A: to the start
    [InlineData("ab" + Left + Left + "\u0005c", "abc", 3)] // Ctrl+E: to the end
    [InlineData("abc" + Left + "\u007f", "ac", 1)] // Backspace left of the cursor
    [InlineData("abc" + Left + Left + "\u001b[3~", "ac", 1)] // Delete under it
    [InlineData("abc" + Left + "\u0004", "ab", 2)] // Ctrl+D in a line is Delete
    [InlineData("one two" + Left + Left + Left + "\u0015", "two", 0)] // Ctrl+U: to the start
    [InlineData("one two" + Left + Left + Left + "\u000b", "one ", 4)] // Ctrl+K: to the end
    [InlineData("one two  \u0017", "one ", 4)] // Ctrl+W: the word before
    [InlineData("x\u001bOD\u001b[Hy\u001b[F\u001bOHz", "zyx", 1)] // SS3 and CSI Home/End/Left
    [InlineData("a\u001b[1;5Cb", "ab", 2)] // Ctrl+Right: swallowed whole, nothing typed
    [InlineData("a\u0007\u0000b", "ab", 2)] // other control keys mean nothing
    [InlineData("h\u00e9llo \u4e16\u754c", "h\u00e9llo \u4e16\u754c", 8)] // UTF-8 text
    [InlineData("a\U0001F600b" + Left + Left + "\u007f", "\U0001F600b", 0)] // Left steps over a surrogate pair as one
    public void Keys_EditTheLine(string keys, string text, int cursor)
    {
        var editor = Feed(new LineEditor(), keys);

        Assert.Equal(text, editor.Text);
        Assert.Equal(cursor, editor.Cursor);
    }

    [Fact]
    public void Enter_SubmitsAndEmpties_CtrlDOnAnEmptyLine_EndsInput_TabAsksToComplete()
    {
        var editor = new LineEditor();
        Assert.Equal(LineEdit.Changed, editor.Feed((byte)'x'));
        Assert.Equal(LineEdit.Complete, editor.Feed((byte)'\t'));
        Assert.Equal(LineEdit.Submit, editor.Feed((byte)'\r'));
        Assert.Equal("x", editor.Take());
        Assert.Equal("", editor.Text);
        Assert.Equal(LineEdit.EndOfInput, editor.Feed(0x04));
    }

    [Fact]
    public void UpAndDown_WalkTheHistory_AndComeBackToTheUnsentLine()
    {
        var editor = new LineEditor();
        foreach (var line in new[] { "first", "second" })
        {
            Feed(editor, line);
            editor.Take();
        }

        Feed(editor, "draft" + Up);
        Assert.Equal("second", editor.Text);
        Feed(editor, Up + Up);
        Assert.Equal("first", editor.Text);
        Feed(editor, Down + Down);
        Assert.Equal("draft", editor.Text);
        Assert.Equal(5, editor.Cursor);
    }

    [Fact]
    public void Render_ShowsThePromptAndTheLine_WithTheCursorsDistanceFromItsEnd()
    {
        var editor = Feed(new LineEditor(), "hello" + Left + Left);

        Assert.Equal(("> hello", 2), editor.Render("> ", 80));
    }

    [Fact]
    public void Render_ALineWiderThanTheTerminal_ScrollsSideways_KeepingTheCursorInSight()
    {
        var editor = Feed(new LineEditor(), new string('a', 50) + new string('b', 50));
        var (shown, back) = editor.Render("> ", 40);

        Assert.True(shown.Length <= 39, shown);
        Assert.StartsWith("> <", shown, StringComparison.Ordinal);
        Assert.EndsWith("bbbb", shown, StringComparison.Ordinal);
        Assert.Equal(0, back);

        Feed(editor, "\u0001"); // Home: the window goes back to the start.
        (shown, back) = editor.Render("> ", 40);
        Assert.StartsWith("> aaaa", shown, StringComparison.Ordinal);
        Assert.Equal(shown.Length - 2, back);
    }

    [Fact]
    public void ALine_HoldsAtMostMaxLength_AndSaysSoWhenFull()
    {
        var editor = Feed(new LineEditor(), new string('x', LineEditor.MaxLength));

        Assert.Equal(LineEdit.Full, editor.Feed((byte)'y'));
        Assert.Equal(LineEditor.MaxLength, editor.Text.Length);
        Assert.Equal(65536, LineEditor.MaxLength); // As long as a piped line may be.
    }

    [Fact]
    public void Render_CountsWideCharactersAsTwoColumns_SoTheLineNeverWraps()
    {
        var editor = Feed(new LineEditor(), new string('\u6f22', 60)); // 120 columns of CJK
        var (shown, back) = editor.Render("> ", 40);

        Assert.True(LineEditor.Width(shown, 0, shown.Length) <= 39, shown);
        Assert.StartsWith("> <", shown, StringComparison.Ordinal);
        Assert.Equal(0, back);

        Feed(editor, Left + Left); // Two characters left: four columns.
        (_, back) = editor.Render("> ", 40);
        Assert.Equal(4, back);
    }

    [Theory]
    [InlineData("a", 1)]
    [InlineData("\u00e9", 1)]
    [InlineData("e\u0301", 1)] // a combining acute: no column of its own
    [InlineData("\u4e16\u754c", 4)]
    [InlineData("\uff21", 2)] // fullwidth A
    [InlineData("\U0001F600", 2)]
    [InlineData("\ud55c", 2)] // Hangul
    public void Width_IsTheTerminals(string text, int columns) => Assert.Equal(columns, LineEditor.Width(text, 0, text.Length));

    [Fact]
    public void Render_OnANarrowTerminal_CutsThePrompt_AndKeepsRoomForTheLine()
    {
        var editor = Feed(new LineEditor(), "hello world");
        var (shown, _) = editor.Render("#207 input the word (+3 waiting) : ", 30);

        Assert.True(shown.Length <= 29, shown);
        Assert.EndsWith("world", shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(3)]
    public void Render_OnATerminalNarrowerThanThePrompt_NeverFillsTheLastColumn(int columns)
    {
        var editor = Feed(new LineEditor(), "abcdefghijklmnop\u6f22\u5b57");
        foreach (var keys in new[] { "", Left, Left + Left + Left, "\u0001" })
        {
            Feed(editor, keys);
            var (shown, _) = editor.Render("#1 input the word : ", columns);
            Assert.True(LineEditor.Width(shown, 0, shown.Length) <= columns - 1, $"{columns}: '{shown}'");
        }
    }

    [Fact]
    public void Render_AVeryLongLine_StaysQuick()
    {
        var editor = Feed(new LineEditor(), new string('x', LineEditor.MaxLength));
        Feed(editor, "\u0001" + Right + Right);
        var (shown, back) = editor.Render("> ", 80);

        Assert.Equal(79, shown.Length);
        Assert.Equal(77 - 2, back);
    }

    private static LineEditor Feed(LineEditor editor, string keys)
    {
        foreach (var b in Encoding.UTF8.GetBytes(keys))
        {
            editor.Feed(b);
        }

        return editor;
    }
}
