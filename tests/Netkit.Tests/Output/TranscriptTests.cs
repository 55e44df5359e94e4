using System.Text;
using Netkit.Output;

namespace Netkit.Tests.Output;

/// <summary>The <c>--hexdump</c> block: the rows of <c>hexdump -C</c>, under a title.</summary>
public sealed class TranscriptTests
{
    [Fact]
    public void HexDump_RowsAreHexdumpCs()
    {
        var bytes = Encoding.Latin1.GetBytes("hello\0\u00ff binary\nI get it!\nOK");

        // printf 'hello\x00\xff binary\nI get it!\nOK' | hexdump -C, without its final offset line.
        Assert.Equal(
            "#1 > 27 bytes\n" +
            "00000000  68 65 6c 6c 6f 00 ff 20  62 69 6e 61 72 79 0a 49  |hello.. binary.I|\n" +
            "00000010  20 67 65 74 20 69 74 21  0a 4f 4b                 | get it!.OK|\n",
            Transcript.HexDump("#1 > 27 bytes", bytes));
    }

    // Each row as hexdump -C prints it for that many 'a's.
    [Theory]
    [InlineData(1, "00000000  61                                                |a|\n")]
    [InlineData(8, "00000000  61 61 61 61 61 61 61 61                           |aaaaaaaa|\n")]
    [InlineData(9, "00000000  61 61 61 61 61 61 61 61  61                       |aaaaaaaaa|\n")]
    [InlineData(16, "00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n")]
    [InlineData(17, "00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|\n00000010  61                                                |a|\n")]
    public void HexDump_PadsAShortRowToTheFullWidth(int length, string rows)
    {
        Assert.Equal("t\n" + rows, Transcript.HexDump("t", Encoding.ASCII.GetBytes(new string('a', length))));
    }
}
