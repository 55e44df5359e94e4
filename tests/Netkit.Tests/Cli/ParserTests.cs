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
    [InlineData("1g", 1 << 30)]
    [InlineData("1G", 1 << 30)]
    public void Sizes_take_binary_suffixes(string text, int expected)
    {
        Assert.True(SizeParser.TryParse(text, out var size, out _));
        Assert.Equal(expected, size);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2048m")]
    [InlineData("2g")]
    [InlineData("2G")]
    [InlineData("g")]
    [InlineData("k")]
    [InlineData("1.5k")]
    public void Bad_sizes_are_refused(string text)
    {
        Assert.False(SizeParser.TryParse(text, out _, out _));
    }
}

public sealed class HostAndDurationTextTests
{
    [Theory]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("2s500ms", 2500)]
    [InlineData("1M30S", 90_000)]
    [InlineData("24h", 86_400_000)]
    [InlineData("0s", 0)]
    public void Compound_durations_parse_largest_unit_first(string text, int milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("1s1m")]
    [InlineData("1m1m")]
    [InlineData("30s5")]
    [InlineData("1.s")]
    [InlineData(".5s")]
    [InlineData("24h1ms")]
    [InlineData("00:00:30")]
    public void Compounds_out_of_order_or_malformed_are_refused(string text)
        => Assert.False(DurationParser.TryParse(text, out _, out _));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(200, "200ms")]
    [InlineData(1000, "1s")]
    [InlineData(1500, "1.5s")]
    [InlineData(30_000, "30s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(3_723_500, "1h2m3.5s")]
    public void Durations_print_as_people_write_them_and_read_back(int milliseconds, string expected)
    {
        var text = Netkit.Core.Diagnostics.DurationText.Format(TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(expected, text);
        Assert.True(DurationParser.TryParse(text, out var back, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }

    [Theory]
    [InlineData("example.org", false, "example.org", null)]
    [InlineData("example.org:7000", false, "example.org", 7000)]
    [InlineData("127.0.0.1:7000", false, "127.0.0.1", 7000)]
    [InlineData("[::1]:7000", false, "::1", 7000)]
    [InlineData("[::1]", false, "::1", null)]
    [InlineData("::1", false, "::1", null)]
    [InlineData("fe80::1%1", false, "fe80::1%1", null)]
    [InlineData(" localhost ", false, "localhost", null)]
    [InlineData("[::]:0", true, "::", 0)]
    [InlineData("bücher.example", false, "bücher.example", null)]
    [InlineData("[fe80::1%lo]:7000", false, "fe80::1%lo", 7000)]
    [InlineData("localhost.", false, "localhost.", null)]
    [InlineData("10.0.0.1", false, "10.0.0.1", null)]
    [InlineData(":7000", true, null, 7000)]
    public void Hosts_carry_their_port(string text, bool server, string? host, int? port)
    {
        Assert.True(HostPort.TryParse(text, server, out var value, out var error), error);
        Assert.Equal(host, value.Host);
        Assert.Equal(port, value.Port);
    }

    [Fact]
    public void An_empty_host_is_every_interface_for_a_server_and_an_error_for_a_client()
    {
        Assert.True(HostPort.TryParse("", server: true, out var every, out _));
        Assert.Null(every.Host);
        Assert.False(HostPort.TryParse("", server: false, out _, out var error));
        Assert.Contains("required", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("999.1.1.1", "not an IPv4 address")]
    [InlineData("127.1", "not an IPv4 address")]
    [InlineData("[::1", "[ADDRESS]:PORT")]
    [InlineData("[127.0.0.1]:80", "only an IPv6 address")]
    [InlineData("a..b", "not a host name")]
    [InlineData("127.0.0.1:0", "not a port")]
    [InlineData("::1::2", "not an IPv6 address")]
    [InlineData("--port", "unknown option")]
    [InlineData("010.0.0.1", "not an IPv4 address")]
    [InlineData("0x7f.1", "not an IPv4 address")]
    [InlineData("0x7f000001", "not an IPv4 address")]
    [InlineData("10.1.2.3.4", "not an IPv4 address")]
    [InlineData("fe80::1%lo:7000", "[fe80::1%eth0]:PORT")]
    [InlineData(":7000", "required before the port")]
    [InlineData("\u001b[31mx", "\\x1b")]
    public void Malformed_hosts_say_why(string text, string reason)
    {
        Assert.False(HostPort.TryParse(text, server: false, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error);
    }
}
