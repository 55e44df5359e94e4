using Netkit.Core.Diagnostics;

namespace Netkit.Tests.Diagnostics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_a_few_percent_of_the_true_values_at_every_scale()
    {
        var histogram = new LatencyHistogram();
        for (long i = 1; i <= 1000; i++)
        {
            histogram.Record(i * 1_000); // 1 us .. 1 ms
        }

        Assert.Equal(1000, histogram.Count);
        Assert.Equal(1_000, histogram.Min);
        Assert.Equal(1_000_000, histogram.Max);
        foreach (var (fraction, truth) in new[] { (0.5, 500_000L), (0.9, 900_000L), (0.99, 990_000L) })
        {
            var value = histogram.Percentile(fraction);
            Assert.InRange(value, truth, truth * 1.04);
        }
    }

    [Fact]
    public void Small_values_are_exact_and_an_empty_histogram_says_zero()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.Percentile(0.5));
        Assert.Equal(0, histogram.Min);
        Assert.Equal(0, histogram.Max);
        histogram.Record(7);
        histogram.Record(-3);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(7, histogram.Percentile(1.0));
        Assert.Equal(0, histogram.Percentile(0.5));
    }

    [Fact]
    public void Added_histograms_count_as_one()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10_000);
        b.Record(20_000_000_000); // 20 s
        a.Add(b);
        Assert.Equal(2, a.Count);
        Assert.Equal(20_000_000_000, a.Max);
        Assert.InRange(a.Percentile(1.0), 20_000_000_000, 20_000_000_000);
        Assert.InRange(a.Percentile(0.5), 10_000, 10_400);
    }
}
