using QaNet.Core.Access;
using QaNet.Core.Checking;
using QaNet.Core.Hosts;
using QaNet.Core.Validation;
using QaNet.Tests.Commands;

namespace QaNet.Tests.Core;

/// <summary>
/// A name that ends in a line break must be refused: .NET's '$' also matches before a final
/// "\n", so every validating pattern anchors at '\z' (issue 20's "evil\n" and "rid\n").
/// </summary>
public sealed class NameAnchorTests
{
    public static TheoryData<string> Breaks => new() { "\n", "\r\n", "\r" };

    [Theory]
    [MemberData(nameof(Breaks))]
    public void No_validator_accepts_a_trailing_line_break(string end)
    {
        Assert.True(Names.IsValid("evil"));
        Assert.False(Names.IsValid("evil" + end));
        Assert.True(Names.IsValidHostName("virthost-comm01.example.org"));
        Assert.False(Names.IsValidHostName("virthost-comm01.example.org" + end));
        Assert.True(Names.IsValidInterfaceName("qnbr0"));
        Assert.False(Names.IsValidInterfaceName("qnbr0" + end));
        Assert.False(SshTarget.IsValidHost("vh1" + end));
        Assert.Matches(AccessValidator.UserNamePattern, "admin1");
        Assert.DoesNotMatch(AccessValidator.UserNamePattern, "admin1" + end);
        Assert.Throws<QaValidationException>(() => HostTarget.Ssh("vh1", new SshOptions { User = "root" + end }));
    }

    [Theory]
    [MemberData(nameof(Breaks))]
    public void A_group_and_a_rule_id_with_a_trailing_line_break_are_refused_and_change_nothing(string end)
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.SetVariable("evil", "evil" + end);
        s.SetVariable("rid", "rid" + end);
        var rules = s.Run("Get-QaRule").Count;
        Assert.NotEmpty(s.Errors("Add-QaGroup -Name $evil -Member admin1"));
        Assert.Empty(s.Run("Get-QaGroup | Where-Object Name -like 'evil*'"));
        Assert.NotEmpty(s.Errors("Grant-QaEgress -Role taskotron -Cidr 10.9.0.0/16 -Port 443/tcp -Id $rid"));
        Assert.Equal(rules, s.Run("Get-QaRule").Count);
    }
}
