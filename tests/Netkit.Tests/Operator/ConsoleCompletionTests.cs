using Netkit.Operator;

namespace Netkit.Tests.Operator;

/// <summary>Tab at the operator's console.</summary>
public sealed class ConsoleCompletionTests
{
    private static readonly int[] Clients = [1, 2, 12];
    private static readonly int[] Waiting = [2, 12];

    [Theory]
    [InlineData("/li", "/list ", "/list")]
    [InlineData("/s", "/stats ", "/stats")]
    [InlineData("/", "/", "/list /to /all /kick /stats /quiet /verbose /help")]
    [InlineData("/q", "/quiet ", "/quiet")]
    [InlineData("/x", "/x", "")]
    [InlineData("/to ", "/to ", "2 12")] // only those waiting for a word
    [InlineData("/to 1", "/to 12 ", "12")]
    [InlineData("/kick ", "/kick ", "1 2 12")] // anyone here
    [InlineData("/kick 1", "/kick 1", "1 12")]
    [InlineData("/kick #2", "/kick 2 ", "2")]
    [InlineData("/to 2 some", "/to 2 some", "")] // past the id: text
    [InlineData("hello", "hello", "")] // a word: nothing to complete
    [InlineData("//li", "//li", "")]
    public void Tab_CompletesCommandsAndIds(string before, string completed, string choices)
    {
        var result = ConsoleCompletion.Complete(before, Clients, Waiting);

        Assert.Equal(completed, result.Completed);
        Assert.Equal(choices, string.Join(' ', result.Choices));
    }
}
