using System.Text;
using Netkit.Core.Protocols;

namespace Netkit.Tests.Protocols;

public sealed class SeedReplyTests
{
    [Fact]
    public void Reply_is_data_then_framed_ack_then_word_byte_exact()
    {
        var destination = new byte[64];
        var length = SeedReply.Compose("hello"u8, SeedReply.FrameAck(SeedReply.DefaultAck), "WORD"u8, destination);
        Assert.Equal("hello\nI get it!\nWORD"u8.ToArray(), destination[..length]);
    }

    [Fact]
    public void No_ack_and_no_word_is_the_data_alone()
    {
        var destination = new byte[8];
        var length = SeedReply.Compose([0, 255, 10], [], [], destination);
        Assert.Equal(new byte[] { 0, 255, 10 }, destination[..length]);
    }

    [Fact]
    public void Completing_in_place_keeps_the_data_already_received()
    {
        var buffer = new byte[32];
        "abc"u8.CopyTo(buffer);
        var length = SeedReply.CompleteInPlace(buffer, 3, SeedReply.FrameAck("ok"), "w"u8);
        Assert.Equal("abc\nok\nw", Encoding.UTF8.GetString(buffer, 0, length));
        Assert.Equal(length, SeedReply.Length(3, SeedReply.FrameAck("ok"), "w"u8));
    }

    [Fact]
    public void A_buffer_too_small_is_refused_not_overrun()
    {
        Assert.Throws<ArgumentException>(() => SeedReply.CompleteInPlace(new byte[4], 3, SeedReply.FrameAck("ok"), []));
    }

    [Fact]
    public void Ack_is_utf8()
    {
        Assert.Equal("\nçа\n"u8.ToArray(), SeedReply.FrameAck("çа"));
    }
}
