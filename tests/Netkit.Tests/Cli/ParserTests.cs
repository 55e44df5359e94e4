using Netkit.Parsing;

namespace Netkit.Tests.Cli;

public sealed class ParserTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("2s", 2000)]
    [InlineData("1.5s", 1500)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("3", 3000)]
    [InlineData("0", 0)]
    public void Durations_take_units(string text, int milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-1s")]
    [InlineData("5x")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("25h")]
    [InlineData("s")]
    public void Bad_durations_are_refused_with_a_reason(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("0", true, 0)]
    [InlineData("12345", false, 12345)]
    [InlineData("65535", false, 65535)]
    public void Ports_in_range_parse(string text, bool server, int expected)
    {
        Assert.True(PortParser.TryParse(text, server, out var port, out _));
        Assert.Equal(expected, port);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("65536", true)]
    [InlineData("-1", true)]
    [InlineData("abc", true)]
    [InlineData("+80", true)]
    [InlineData("99999999999", true)]
    public void Bad_ports_are_refused(string text, bool server)
    {
        Assert.False(PortParser.TryParse(text, server, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("65536", 65536)]
    [InlineData("64k", 65536)]
    [InlineData("4M", 4 * 1024 * 1024)]
    public void Sizes_take_binary_suffixes(string text, int expected)
    {
        Assert.True(SizeParser.TryParse(text, out var size, out _));
        Assert.Equal(expected, size);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2048m")]
    [InlineData("k")]
    [InlineData("1.5k")]
    public void Bad_sizes_are_refused(string text)
    {
        Assert.False(SizeParser.TryParse(text, out _, out _));
    }
}
