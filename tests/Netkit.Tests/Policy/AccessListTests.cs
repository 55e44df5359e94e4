using System.Net;
using Netkit.Core.Policy;

namespace Netkit.Tests.Policy;

public sealed class AccessListTests
{
    private static Cidr Block(string text) => Cidr.TryParse(text, out var cidr, out var error) ? cidr : throw new ArgumentException(error);

    private static AccessList List(params string[] rules) => new(rules.Select(r => new AccessRule(r[0] == '+', Block(r[1..]))));

    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("192.168.1.128/25", "192.168.1.200", true)]
    [InlineData("192.168.1.128/25", "192.168.1.100", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("0.0.0.0/0", "::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/33", "2001:db8:8000::1", false)]
    [InlineData("::ffff:10.0.0.0/8", "10.2.3.4", true)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("::/0", "::ffff:10.1.2.3", false)] // an IPv4 peer of a dual-stack socket is not IPv6
    [InlineData("::/0", "2001:db8::1", true)]
    public void Blocks_contain_what_they_should(string block, string address, bool expected)
    {
        Assert.Equal(expected, Block(block).Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/")]
    [InlineData("host.example")]
    [InlineData("fe80::1%eth0")]
    [InlineData("10.0.0.0/8/8")]
    public void Bad_blocks_are_refused_with_a_reason(string text)
    {
        Assert.False(Cidr.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void A_matching_deny_wins_whatever_the_order()
    {
        var list = List("+10.0.0.0/8", "-10.1.0.0/16");
        var decision = list.Decide(IPAddress.Parse("10.1.2.3"));
        Assert.False(decision.Allowed);
        Assert.Equal("denied by --deny 10.1.0.0/16", decision.Reason);
        Assert.True(list.Decide(IPAddress.Parse("10.2.0.1")).Allowed);
    }

    [Fact]
    public void With_allow_rules_everything_else_is_denied()
    {
        var decision = List("+127.0.0.0/8").Decide(IPAddress.Parse("192.0.2.1"));
        Assert.False(decision.Allowed);
        Assert.Equal("denied: no --allow matched", decision.Reason);
    }

    [Theory]
    [InlineData("10.1.2.3", "denied by --deny 10.1.0.0/16 (a matching --deny wins over --allow 10.0.0.0/8)")]
    [InlineData("10.9.9.9", "allowed by --allow 10.0.0.0/8")]
    [InlineData("::1", "allowed by --allow ::1/128")]
    [InlineData("192.168.0.1", "denied by --deny 192.168.0.0/16")]
    [InlineData("172.16.0.1", "denied: no --allow matched (--allow 10.0.0.0/8, --allow ::1/128)")]
    public void An_explanation_names_the_rule_that_decides_and_the_rules_that_lost(string address, string expected)
    {
        var list = List("+10.0.0.0/8", "-10.1.0.0/16", "+::1", "-192.168.0.0/16");
        Assert.Equal(expected, list.Explain(IPAddress.Parse(address)));
    }

    [Fact]
    public void With_no_rules_the_explanation_says_none_were_given()
    {
        Assert.Equal("allowed: no --allow given, no --deny matched", AccessList.Open.Explain(IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public void With_only_a_deny_that_does_not_match_the_explanation_does_not_say_none_was_given()
    {
        Assert.Equal("allowed: no --allow given, no --deny matched", List("-192.168.0.0/16").Explain(IPAddress.Parse("10.1.2.3")));
    }

    [Fact]
    public void No_rules_allow_everyone()
    {
        Assert.True(AccessList.Open.IsOpen);
        Assert.Equal(new AccessDecision(true, null), AccessList.Open.Decide(IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public void Random_text_never_throws_and_random_addresses_decide()
    {
        var random = new Random(5);
        var alphabet = "0123456789abcdef:./%-[] x";
        var list = List("+10.0.0.0/8", "-10.9.0.0/16", "+2001:db8::/32");
        var bytes = new byte[16];
        for (var i = 0; i < 5000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(24)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            _ = Cidr.TryParse(text, out _, out _);
            random.NextBytes(bytes);
            _ = list.Decide(bytes.AsSpan(0, random.Next(2) == 0 ? 4 : 16));
        }
    }
}
