using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>The <c>rules:</c> section: rules are read in file order and built once every explicit id is known.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] RuleKeys = { "id", "kind", "from", "to", "ports", "priority", "expires", "description", "allowAnyDestination", "enabled" };

    private readonly List<PendingRule> rules = new();

    private void ReadRule(YamlNode node, int index)
    {
        var path = EntityPath("rules", PeekKey(node, "id"), index);
        if (ReadMapping(node, path, RuleKeys) is not { } f)
        {
            return;
        }

        var id = ReadString(f, "id");
        var ports = new List<QaPortRange>();
        var parts = new RuleParts(
            ReadChoice(f, "kind", required: true,
                ("egress", QaRuleKind.Egress), ("ingress", QaRuleKind.Ingress), ("block", QaRuleKind.Block)) ?? QaRuleKind.Egress,
            ReadSelectors(f, "from"),
            ReadSelectors(f, "to"),
            ports)
        {
            Priority = ReadInt(f, "priority"),
            ExpiresAt = ReadDate(f, "expires"),
            Description = ReadString(f, "description"),
            AllowAnyDestination = ReadBool(f, "allowAnyDestination") ?? false,
            Enabled = ReadBool(f, "enabled") ?? true,
        };
        AddPorts(ports, f, path + ".ports");
        rules.Add(new PendingRule(f, id, parts));
    }

    private List<QaSelector> ReadSelectors(Fields f, string key)
    {
        var path = Fields.Join(f.Path, key);
        var selectors = new List<QaSelector>();
        foreach (var (text, item) in ReadStrings(f, key, allowSingle: true, required: true))
        {
            if (ParseSelector(text, item, path) is { } selector && !selectors.Contains(selector))
            {
                selectors.Add(selector);
            }
        }

        return selectors;
    }

    private void AddPorts(List<QaPortRange> ports, Fields f, string path)
    {
        foreach (var (text, item) in ReadStrings(f, "ports"))
        {
            if (ParsePort(text, item, path) is { } port && !ports.Contains(port))
            {
                ports.Add(port);
            }
        }
    }

    private sealed record PendingRule(Fields Fields, string? Id, RuleParts Parts) : IPendingEntry<QaRule>
    {
        public string DeriveId(QaPolicy policy) => PolicyEditor.DeriveRuleId(policy, Parts.Kind, Parts.From, Parts.To);

        public QaRule Build(QaPolicy policy, string id) => Parts.Build(policy, id);
    }
}
