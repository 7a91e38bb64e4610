using QaNet.Core.Validation;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Policy;

/// <summary>Every way a policy file is refused: the error id and the exact line:column.</summary>
public class PolicyYamlRejectionTests
{
    [Fact]
    public void The_minimal_policy_is_accepted()
    {
        var policy = PolicyYaml.Parse(Minimal, Source);
        Assert.Equal("t", policy.Name);
    }

    [Fact]
    public void A_tag_is_refused_where_it_stands()
    {
        Assert.Equal(new[] { "PolicyTagNotAllowed t.yaml:2:7" }, Rejected(MinimalWithLine(2, "name: !!str t")));
        Assert.Equal(new[] { "PolicyTagNotAllowed t.yaml:7:16" }, Rejected(MinimalWithLine(7, "    virthosts: !hosts [vh1]")));
    }

    [Fact]
    public void Anchors_and_aliases_are_refused()
    {
        var yaml = MinimalWithLine(2, "name: &n t\ndescription: *n");
        Assert.Equal(new[] { "PolicyAliasNotAllowed t.yaml:2:7", "PolicyAliasNotAllowed t.yaml:3:14" }, Rejected(yaml));
    }

    [Fact]
    public void A_misspelled_required_key_is_refused_with_a_suggestion_and_not_also_reported_missing()
    {
        // The misspelling is the cause; a PolicyMissingKey for the same mapping would come first
        // (it is located at the mapping) and point at the wrong fix (issue 17, bug 8).
        var yaml = MinimalWithLine(6, "    subnett: 192.168.150.0/24");
        Assert.Equal(new[] { "PolicyUnknownKey t.yaml:6:5" }, Rejected(yaml));
        var error = Single(yaml, QaErrorIds.PolicyUnknownKey);
        Assert.Contains("'subnet'", error.Message, StringComparison.Ordinal);
        Assert.Equal("networks[n1].subnett", error.Path);
    }

    [Fact]
    public void An_unknown_key_far_from_any_known_one_gets_no_suggestion()
    {
        var error = Single(MinimalWithLine(2, "name: t\nfirewall: on"), QaErrorIds.PolicyUnknownKey);
        Assert.Equal("t.yaml:3:1", error.Location);
        Assert.DoesNotContain("Did you mean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_refused_at_the_second_one()
    {
        Assert.Equal(new[] { "PolicyDuplicateKey t.yaml:3:1" }, Rejected(MinimalWithLine(2, "name: t\nname: u")));
    }

    [Fact]
    public void Host_names_that_differ_only_in_case_are_duplicate_keys()
    {
        var yaml = MinimalWithLine(2, "name: t\nhosts:\n  koji.example.org: [203.0.113.10]\n  Koji.example.org: [203.0.113.11]");
        Assert.Equal(new[] { "PolicyDuplicateKey t.yaml:5:3" }, Rejected(yaml));
    }

    [Fact]
    public void A_missing_required_key_is_reported_at_its_mapping()
    {
        Assert.Equal(new[] { "PolicyMissingKey t.yaml:4:5" }, Rejected(MinimalWithLine(5, null)));
        Assert.Equal(new[] { "PolicyMissingKey t.yaml:16:5" }, Rejected(MinimalWithLine(18, null)));
    }

    [Fact]
    public void A_key_without_a_value_counts_as_missing()
    {
        Assert.Equal(new[] { "PolicyMissingKey t.yaml:4:5" }, Rejected(MinimalWithLine(5, "    mode:")));
    }

    [Fact]
    public void A_missing_version_is_reported_at_the_top()
    {
        Assert.Equal(new[] { "PolicyMissingKey t.yaml:1:1" }, Rejected(MinimalWithLine(1, "description: no version")));
    }

    [Theory]
    [InlineData("version: 2", "t.yaml:1:10")]
    [InlineData("version: 1.0", "t.yaml:1:10")]
    [InlineData("version: [1]", "t.yaml:1:10")]
    public void Only_version_1_is_read(string line, string location)
    {
        var errors = Rejected(MinimalWithLine(1, line));
        var expectedId = line.Contains('[', StringComparison.Ordinal) ? "PolicyWrongType" : "PolicyVersionUnsupported";
        Assert.Equal(new[] { $"{expectedId} {location}" }, errors);
    }

    [Fact]
    public void Wrong_node_types_are_refused()
    {
        Assert.Equal(new[] { "PolicyWrongType t.yaml:7:16" }, Rejected(MinimalWithLine(7, "    virthosts: vh1")));
        Assert.Equal(new[] { "PolicyWrongType t.yaml:8:14" }, Rejected(Minimal.Replace("    clients:\n      - name: c1\n        roles: [r1]", "    clients: {name: c1}", StringComparison.Ordinal)));
        Assert.Equal(new[] { "PolicyWrongType t.yaml:2:7" }, Rejected(MinimalWithLine(2, "name: [t]")));
        Assert.Equal(new[] { "PolicyWrongType t.yaml:1:1" }, Rejected("- version: 1\n"));
    }

    [Fact]
    public void Scalars_of_the_wrong_kind_are_wrong_types()
    {
        Assert.Equal(new[] { "PolicyWrongType t.yaml:5:11" }, Rejected(MinimalWithLine(5, "    mode: natt")));
        Assert.Equal(new[] { "PolicyWrongType t.yaml:19:15" }, Rejected(MinimalWithLine(18, "    to: endpoint:koji\n    priority: high")));
        Assert.Equal(new[] { "PolicyWrongType t.yaml:19:26" }, Rejected(MinimalWithLine(18, "    to: endpoint:koji\n    allowAnyDestination: yes")));
        Assert.Equal(new[] { "PolicyWrongType t.yaml:19:14" }, Rejected(MinimalWithLine(18, "    to: endpoint:koji\n    expires: next week")));
    }

    [Fact]
    public void An_empty_file_holds_no_policy()
    {
        Assert.Equal(new[] { "PolicyWrongType t.yaml:1:1" }, Rejected(string.Empty));
        Assert.Equal(new[] { "PolicyWrongType t.yaml:1:1" }, Rejected("# only a comment\n"));
    }

    [Fact]
    public void A_second_document_is_refused()
    {
        Assert.Equal(new[] { "PolicyMultipleDocuments t.yaml:19:1" }, Rejected(Minimal + "---\nversion: 1\nname: u\n"));
    }

    [Fact]
    public void A_file_over_the_size_cap_is_refused_before_parsing()
    {
        var yaml = Minimal + "# " + new string('x', PolicyYaml.MaxFileBytes) + "\n";
        var error = Assert.Single(Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(yaml, Source)).Errors);
        Assert.Equal(QaErrorIds.PolicyTooLarge, error.Id);
        Assert.Equal(Source, error.Location);
    }

    [Fact]
    public void Nesting_deeper_than_the_cap_is_refused_at_the_first_level_too_deep()
    {
        // The root mapping is level 1, so the 32nd '[' (column 14 + 31) is level 33.
        var yaml = "version: 1\nname: t\ndescription: " + new string('[', 40) + new string(']', 40) + "\n";
        Assert.Equal(new[] { "PolicyTooDeep t.yaml:3:45" }, Rejected(yaml));
    }

    [Fact]
    public void Nesting_up_to_the_cap_reaches_the_type_check()
    {
        var yaml = "version: 1\nname: t\ndescription: " + new string('[', 31) + new string(']', 31) + "\n";
        Assert.Equal(new[] { "PolicyWrongType t.yaml:3:14" }, Rejected(yaml));
    }

    [Fact]
    public void A_yaml_syntax_error_carries_the_parser_position()
    {
        Assert.Equal(new[] { "PolicySyntax t.yaml:2:8" }, Rejected(MinimalWithLine(2, "name: a: b")));
        Assert.DoesNotContain("(Line:", Single(MinimalWithLine(2, "name: a: b"), QaErrorIds.PolicySyntax).Message, StringComparison.Ordinal);

        // YamlDotNet's scanner throws InvalidOperationException here; it is still a syntax error, at the '['.
        Assert.Equal(new[] { "PolicySyntax t.yaml:7:16" }, Rejected(MinimalWithLine(7, "    virthosts: [vh1")));
    }

    [Fact]
    public void A_bad_port_is_refused_at_the_port()
    {
        Assert.Equal(new[] { "InvalidPort t.yaml:14:17" }, Rejected(MinimalWithLine(14, "    ports: [80, 443/tpc]")));
        Assert.Equal(new[] { "PortRangeReversed t.yaml:14:13" }, Rejected(MinimalWithLine(14, "    ports: [7099-7080/tcp]")));
    }

    [Fact]
    public void Bad_addresses_and_prefixes_are_refused_at_the_value()
    {
        Assert.Equal(new[] { "InvalidSubnet t.yaml:6:13" }, Rejected(MinimalWithLine(6, "    subnet: 192.168.150.1/24")));
        Assert.Equal(new[] { "InvalidSubnet t.yaml:13:17" }, Rejected(MinimalWithLine(13, "    addresses: [koji]")));
        Assert.Equal(new[] { "InvalidAddress t.yaml:11:18" }, Rejected(MinimalWithLine(10, "        roles: [r1]\n        address: 192.168.150.300")));
        Assert.Equal(new[] { "InvalidAddress t.yaml:8:19" }, Rejected(MinimalWithLine(7, "    virthosts: [vh1]\n    dhcp: {start: x, end: 192.168.150.254}")));
    }

    [Fact]
    public void A_bad_selector_is_refused_at_the_selector()
    {
        Assert.Equal(new[] { "InvalidSelector t.yaml:18:9" }, Rejected(MinimalWithLine(18, "    to: koji")));
        Assert.Equal(new[] { "InvalidSelector t.yaml:18:25" }, Rejected(MinimalWithLine(18, "    to: [endpoint:koji, host:koji]")));
        Assert.Equal(new[] { "InvalidName t.yaml:17:11" }, Rejected(MinimalWithLine(17, "    from: role:R1")));
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_at_once_in_file_order()
    {
        var yaml = MinimalWithLine(5, "    mode: natt").Replace("[443/tcp]", "[443/tpc]", StringComparison.Ordinal)
            .Replace("to: endpoint:koji", "to: koji", StringComparison.Ordinal);
        Assert.Equal(new[] { "PolicyWrongType t.yaml:5:11", "InvalidPort t.yaml:14:13", "InvalidSelector t.yaml:18:9" }, Rejected(yaml));
    }
}
