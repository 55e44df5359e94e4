using Netkit.Core.Protocols;

namespace Netkit.Tests.Protocols;

public sealed class PeerTextTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'h', (byte)'i' }, "hi")]
    [InlineData(new byte[] { 0x1b, (byte)'[', (byte)'2', (byte)'J' }, @"\x1b[2J")]
    [InlineData(new byte[] { (byte)'a', 10, 13, 9, 0 }, @"a\n\r\t\x00")]
    [InlineData(new byte[] { 0x7f }, @"\x7f")]
    [InlineData(new byte[] { 0xff, 0xfe }, @"\xff\xfe")]
    [InlineData(new byte[] { 0xc2, 0x9b }, @"\u009b")] // C1 CSI, a one-byte escape on some terminals
    [InlineData(new byte[] { 0xe2, 0x80, 0xae }, @"\u202e")] // right-to-left override
    [InlineData(new byte[] { (byte)'\\', (byte)'x' }, @"\\x")]
    [InlineData(new byte[] { 0xc3, 0xa9 }, "é")]
    public void Escapes_everything_that_could_drive_a_terminal(byte[] input, string expected)
    {
        Assert.Equal(expected, PeerText.Escape(input));
    }

    [Fact]
    public void Long_input_is_cut()
    {
        var text = PeerText.Escape(new byte[10_000], maxChars: 100);
        Assert.True(text.Length < 120);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_yield_control_characters()
    {
        var random = new Random(862);
        var bytes = new byte[4096];
        for (var i = 0; i < 200; i++)
        {
            random.NextBytes(bytes);
            var text = PeerText.Escape(bytes, int.MaxValue);
            Assert.DoesNotContain(text, c => char.IsControl(c));
        }
    }
}
