using System.Net;
using Netkit.Core.Diagnostics;
using Netkit.Core.Udp;

namespace Netkit.Tests.Udp;

public sealed class SourceTallyTests
{
    private static byte[] Sockaddr(IPAddress address)
    {
        var raw = new IPEndPoint(address, 40000).Serialize();
        return raw.Buffer.Span[..raw.Size].ToArray();
    }

    private static IPAddress Nth(int n) => new([10, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    [Fact]
    public void A_flood_of_one_off_sources_does_not_keep_a_heavy_hitter_out()
    {
        var tally = new SourceTally();
        var heavy = Sockaddr(IPAddress.Parse("192.0.2.9"));
        lock (tally.Gate)
        {
            for (var i = 0; i < TalkerTable.Capacity; i++)
            {
                tally.Count(Sockaddr(Nth(i)));
            }

            // The table is full of sources seen once; the heavy hitter comes after them, among more one-offs.
            for (var i = 0; i < 2_000; i++)
            {
                tally.Count(Sockaddr(Nth(TalkerTable.Capacity + i)));
                if (i % 100 == 0)
                {
                    tally.Count(heavy);
                }
            }
        }

        var counts = new Dictionary<(ulong, ulong), long>();
        var others = tally.AddTo(counts, new LatencyHistogram());
        var key = Core.Policy.SourceKey.From(IPAddress.Parse("192.0.2.9").GetAddressBytes());
        Assert.True(counts.TryGetValue(key, out var heavyCount), "the heavy hitter was never counted by name");
        Assert.InRange(heavyCount, 2, 20);
        Assert.Equal(TalkerTable.Capacity + 2_000 + 20, others + counts.Values.Sum());
        Assert.True(counts.Count <= TalkerTable.Capacity);
    }
}
