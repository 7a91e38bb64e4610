using System.Net;
using QaNet.Core.Net;

namespace QaNet.Tests.Core;

/// <summary>
/// QaAddressRange.Parse reads what ToString writes: PowerShell shows a Compare-QaPolicy change's
/// ranges as text (QaObjectAdapter), and about_QaNet tells scripts to parse them back.
/// </summary>
public sealed class AddressRangeParseTests
{
    [Theory]
    [InlineData("192.168.150.10")]
    [InlineData("192.168.150.2/31")]
    [InlineData("0.0.0.0/0")]
    [InlineData("192.168.150.3-192.168.150.9")]
    [InlineData("fd00:150::a")]
    [InlineData("fd00:150::2/127")]
    [InlineData("fd00:150::3-fd00:150::9")]
    public void Parse_reads_back_what_ToString_writes(string text)
    {
        var range = QaAddressRange.Parse(text);
        Assert.Equal(text, range.ToString());
        Assert.Equal(range, QaAddressRange.Parse(range.ToString()));
    }

    [Fact]
    public void A_parsed_prefix_contains_its_addresses_and_no_other()
    {
        var range = QaAddressRange.Parse("192.168.150.2/31");
        Assert.True(range.Contains(IPAddress.Parse("192.168.150.3")));
        Assert.False(range.Contains(IPAddress.Parse("192.168.150.4")));
        Assert.False(range.Contains(IPAddress.Parse("::ffff:192.168.150.3")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("koji")]
    [InlineData("192.168.150.9-192.168.150.3")]
    [InlineData("192.168.150.3-fd00::1")]
    [InlineData("192.168.150.0/33")]
    [InlineData("fe80::1%eth0")]
    [InlineData("192.168.150.1-")]
    public void Parse_refuses_what_is_no_range(string text) =>
        Assert.Throws<FormatException>(() => QaAddressRange.Parse(text));
}
