using Netkit.Core.Protocols;
using Netkit.Parsing;

namespace Netkit.Tests.Protocols;

/// <summary>Random input to every codec and parser: none may throw, and what they accept must be sane.</summary>
public sealed class FuzzTests
{
    private const int Rounds = 20_000;
    private static readonly string Alphabet = "0123456789.-+ msMhHkKx/:%\t\uD800é∞e";

    private static string RandomText(Random random)
        => new(Enumerable.Range(0, random.Next(12)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());

    [Fact]
    public void Option_parsers_never_throw_and_accept_only_sane_values()
    {
        var random = new Random(2106);
        for (var i = 0; i < Rounds; i++)
        {
            var text = RandomText(random);
            if (DurationParser.TryParse(text, out var duration, out _))
            {
                Assert.InRange(duration, TimeSpan.Zero, DurationParser.Maximum);
            }

            if (PortParser.TryParse(text, random.Next(2) == 0, out var port, out _))
            {
                Assert.InRange(port, 0, 65535);
            }

            if (SizeParser.TryParse(text, out var size, out _))
            {
                Assert.InRange(size, 1, 1 << 30);
            }
        }
    }

    [Fact]
    public void Any_time_value_decodes_within_half_an_era_of_the_reference()
    {
        var random = new Random(2036);
        var reference = DateTimeOffset.Parse("2026-11-26T00:00:00Z");
        for (var i = 0; i < Rounds; i++)
        {
            var value = (uint)random.NextInt64(0, 1L << 32);
            foreach (var epoch in new[] { TimeEpoch.Unix, TimeEpoch.Rfc868 })
            {
                var decoded = TimeDatagram.Decode(value, epoch, reference);
                Assert.True((decoded - reference).Duration().TotalSeconds <= (1L << 31));
                Assert.Equal(value, TimeDatagram.Encode(decoded, epoch));
            }

            var (nearest, _) = TimeDatagram.DecodeNearest(value, reference);
            Assert.Equal(value, TimeDatagram.Encode(nearest, TimeDatagram.DecodeNearest(value, reference).Epoch));
        }
    }

    [Fact]
    public void Seed_replies_of_random_parts_are_exactly_their_concatenation()
    {
        var random = new Random(862);
        var destination = new byte[8192];
        for (var i = 0; i < 2000; i++)
        {
            var data = new byte[random.Next(4096)];
            var ack = new byte[random.Next(64)];
            var word = new byte[random.Next(64)];
            random.NextBytes(data);
            random.NextBytes(ack);
            random.NextBytes(word);
            var length = SeedReply.Compose(data, ack, word, destination);
            Assert.Equal([.. data, .. ack, .. word], destination[..length]);
        }
    }
}
