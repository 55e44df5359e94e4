using Netkit.Output;

namespace Netkit.Tests.Cli;

public sealed class CTimeTests
{
    [Theory]
    [InlineData("2012-08-06T17:09:17Z", "Mon Aug  6 17:09:17 2012")]
    [InlineData("2026-11-26T01:02:03Z", "Thu Nov 26 01:02:03 2026")]
    [InlineData("2106-02-07T06:28:16Z", "Sun Feb  7 06:28:16 2106")]
    public void Formats_like_python_time_ctime(string utc, string expected)
    {
        Assert.Equal(expected, CTime.Format(DateTimeOffset.Parse(utc), TimeZoneInfo.Utc));
    }
}
