using Netkit.Operator;

namespace Netkit.Tests.Cli;

public sealed class ConsoleCommandTests
{
    [Theory]
    [InlineData("hello", "Word", 0, "hello")]
    [InlineData("", "Word", 0, "")]
    [InlineData("//x", "Word", 0, "/x")]
    [InlineData("/list", "List", 0, "")]
    [InlineData("/help", "Help", 0, "")]
    [InlineData("/to 3 hi there", "To", 3, "hi there")]
    [InlineData("/to #3 hi", "To", 3, "hi")]
    [InlineData("/all bye", "All", 0, "bye")]
    [InlineData("/kick 12", "Kick", 12, "")]
    public void Lines_parse(string line, string kind, int id, string text)
    {
        Assert.Equal(new ConsoleCommand(Enum.Parse<ConsoleCommandKind>(kind), id, text), ConsoleCommand.Parse(line));
    }

    [Theory]
    [InlineData("/kick")]
    [InlineData("/kick x")]
    [InlineData("/to")]
    [InlineData("/to -1 x")]
    [InlineData("/frobnicate")]
    [InlineData("/list extra")]
    public void Bad_commands_say_why(string line)
    {
        var command = ConsoleCommand.Parse(line);
        Assert.Equal(ConsoleCommandKind.Invalid, command.Kind);
        Assert.NotEmpty(command.Text);
    }

    [Fact]
    public void Random_lines_never_throw()
    {
        var random = new Random(7);
        var alphabet = "/tokickalls #0123456789 \t-x";
        for (var i = 0; i < 5000; i++)
        {
            var line = new string(Enumerable.Range(0, random.Next(12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            _ = ConsoleCommand.Parse(line);
        }
    }
}
