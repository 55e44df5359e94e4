using System.Net;
using Microsoft.Extensions.Time.Testing;
using Netkit.Core.Diagnostics;
using Netkit.Core.Policy;

namespace Netkit.Tests.Policy;

public sealed class DatagramAdmissionTests
{
    private static readonly IPEndPoint Bound = new(IPAddress.Any, 12345);

    // The sender as this platform's socket calls name it.
    private static byte[] Sockaddr(string address, int port)
    {
        var raw = new IPEndPoint(IPAddress.Parse(address), port).Serialize();
        return raw.Buffer.Span[..raw.Size].ToArray();
    }

    [Fact]
    public void An_ordinary_sender_is_answered()
    {
        var admission = new DatagramAdmission(AccessList.Open, allowPrivilegedPorts: false, null, Bound);
        Assert.Null(admission.Refuse(Sockaddr("192.0.2.7", 40000)));
        Assert.Null(admission.Refuse(Sockaddr("2001:db8::1", 40000)));
    }

    [Fact]
    public void A_denied_sender_is_refused_by_the_access_list_also_when_ipv4_mapped()
    {
        Assert.True(Cidr.TryParse("192.0.2.0/24", out var block, out _));
        var admission = new DatagramAdmission(new AccessList([new AccessRule(false, block)]), false, null, Bound);
        Assert.Equal(DropReason.Acl, admission.Refuse(Sockaddr("192.0.2.7", 40000)));
        Assert.Equal(DropReason.Acl, admission.Refuse(Sockaddr("::ffff:192.0.2.7", 40000)));
        Assert.Null(admission.Refuse(Sockaddr("198.51.100.1", 40000)));
    }

    [Fact]
    public void Privileged_source_ports_are_refused_unless_allowed()
    {
        Assert.Equal(DropReason.PrivilegedPort, new DatagramAdmission(AccessList.Open, false, null, Bound).Refuse(Sockaddr("192.0.2.7", 7)));
        Assert.Null(new DatagramAdmission(AccessList.Open, true, null, Bound).Refuse(Sockaddr("192.0.2.7", 7)));
    }

    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("0.0.0.0", "::ffff:127.0.0.5")]
    [InlineData("::", "::1")]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    public void Our_own_port_on_our_own_address_is_refused(string bound, string sender)
    {
        var admission = new DatagramAdmission(AccessList.Open, true, null, new IPEndPoint(IPAddress.Parse(bound), 12345));
        Assert.Equal(DropReason.OwnAddress, admission.Refuse(Sockaddr(sender, 12345)));
        Assert.Null(admission.Refuse(Sockaddr(sender, 12346)));
    }

    [Fact]
    public void The_rate_limit_comes_last_so_a_refused_datagram_spends_no_token()
    {
        var limiter = new SourceRateLimiter(1, 1, new FakeTimeProvider());
        var admission = new DatagramAdmission(AccessList.Open, false, limiter, Bound);
        Assert.Equal(DropReason.PrivilegedPort, admission.Refuse(Sockaddr("192.0.2.7", 7)));
        Assert.Null(admission.Refuse(Sockaddr("192.0.2.7", 40000)));
        Assert.Equal(DropReason.RateLimit, admission.Refuse(Sockaddr("192.0.2.7", 40001)));
    }

    [Fact]
    public void A_sender_that_is_not_ip_is_refused()
    {
        Assert.Equal(DropReason.Acl, new DatagramAdmission(AccessList.Open, false, null, Bound).Refuse(new byte[8]));
    }

    [Fact]
    public void A_malformed_datagram_is_refused_before_the_rate_limit_and_spends_no_token()
    {
        var limiter = new SourceRateLimiter(1, 1, new FakeTimeProvider());
        var admission = new DatagramAdmission(AccessList.Open, false, limiter, Bound);
        Assert.Equal(DropReason.Malformed, admission.Refuse(Sockaddr("192.0.2.7", 40000), wellFormed: false));
        Assert.Equal(DropReason.Malformed, admission.Refuse(Sockaddr("192.0.2.7", 40000), wellFormed: false));
        Assert.Null(admission.Refuse(Sockaddr("192.0.2.7", 40000)));
    }

    [Fact]
    public void The_exempt_port_is_answered_below_1024_and_no_other_is()
    {
        // SNTP: ntpd and Windows ask from port 123.
        var admission = new DatagramAdmission(AccessList.Open, false, null, Bound) { ExemptPort = 123 };
        Assert.Null(admission.Refuse(Sockaddr("192.0.2.7", 123)));
        Assert.Equal(DropReason.PrivilegedPort, admission.Refuse(Sockaddr("192.0.2.7", 19)));
    }
}
