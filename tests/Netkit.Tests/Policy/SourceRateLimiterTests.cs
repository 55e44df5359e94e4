using Microsoft.Extensions.Time.Testing;
using Netkit.Core.Policy;

namespace Netkit.Tests.Policy;

public sealed class SourceRateLimiterTests
{
    private static readonly byte[] A = [192, 0, 2, 1];
    private static readonly byte[] B = [192, 0, 2, 2];

    [Fact]
    public void A_burst_passes_then_the_rate_applies_per_source()
    {
        var time = new FakeTimeProvider();
        var limiter = new SourceRateLimiter(rate: 10, burst: 5, time);
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => limiter.TryTake(A)));
        Assert.True(limiter.TryTake(B)); // another source has its own bucket

        time.Advance(TimeSpan.FromMilliseconds(300)); // 3 tokens back
        Assert.Equal(3, Enumerable.Range(0, 20).Count(_ => limiter.TryTake(A)));

        time.Advance(TimeSpan.FromMinutes(5)); // never more than the burst
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => limiter.TryTake(A)));
    }

    [Fact]
    public void Ipv4_and_its_mapped_form_share_a_bucket()
    {
        var limiter = new SourceRateLimiter(1, 1, new FakeTimeProvider());
        Assert.True(limiter.TryTake(A));
        Assert.False(limiter.TryTake([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1]));
    }

    [Fact]
    public void A_flood_of_sources_costs_bounded_memory()
    {
        var limiter = new SourceRateLimiter(1, 1, new FakeTimeProvider());
        var address = new byte[16];
        for (var i = 0; i < 200_000; i++)
        {
            BitConverter.TryWriteBytes(address, i);
            limiter.TryTake(address);
        }

        Assert.True(limiter.Tracked <= 65_537, $"{limiter.Tracked} sources tracked");
    }
}
