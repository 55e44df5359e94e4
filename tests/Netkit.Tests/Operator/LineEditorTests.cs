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
    public void ALine_HoldsAtMostMaxLength()
    {
        var editor = Feed(new LineEditor(), new string('x', LineEditor.MaxLength + 10));

        Assert.Equal(LineEditor.MaxLength, editor.Text.Length);
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
