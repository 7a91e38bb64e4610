using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>The <c>tests:</c> section: expected verdicts.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] TestKeys = { "from", "to", "port", "expect", "description" };

    private void ReadTest(QaPolicy policy, YamlNode node, int index)
    {
        var path = $"tests[#{index + 1}]";
        if (ReadMapping(node, path, TestKeys) is not { } f)
        {
            return;
        }

        var from = ReadString(f, "from", required: true);
        var to = ReadString(f, "to", required: true);
        var portText = ReadString(f, "port", required: true);
        var port = portText is null ? null : ParsePort(portText, f["port"]!, path + ".port");
        if (port is { IsIcmp: false } p && p.From != p.To)
        {
            errors.Add(f["port"]!, QaErrorIds.InvalidPort, path + ".port",
                $"A test checks one port, but {path}.port is the range '{portText}'.", "Write a single port such as 443/tcp, or icmp.");
            port = null;
        }

        var expect = ReadChoice(f, "expect", required: true, ("allow", true), ("deny", false));
        var description = ReadString(f, "description");
        if (from is null || to is null || port is null || expect is null)
        {
            return;
        }

        var assertion = new QaAssertion(from.Trim(), to.Trim(), port.Value, expect.Value) { Description = description };
        policy.Assertions.Add(assertion);
        Mark(path, f);
    }
}
