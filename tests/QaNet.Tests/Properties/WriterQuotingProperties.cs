using System.Text.RegularExpressions;
using CsCheck;
using QaNet.Core.Access;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Access;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;
using QaNet.Fuzz;
using QaNet.Policy;
using QaNet.Tests.Access;
using QaNet.Tests.Render;

namespace QaNet.Tests.Properties;

/// <summary>
/// Any string given where a name or a text goes either fails QaNet's validation (a
/// QaValidationException with an id) or comes back unchanged in meaning from each writer it
/// reaches, read with that format's parser: the nft and ebtables files (rule ids in comments),
/// the policy YAML (names, descriptions), sudoers, sshd_config and fas.conf (group names, grant ids).
/// </summary>
public sealed partial class WriterQuotingProperties
{
    [GeneratedRegex("comment \"([^\"]*)\"\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NftComment();

    [Fact]
    public void A_rule_id_is_refused_or_read_back_from_the_nft_comment_and_the_ebtables_comment_line() =>
        Gen.Select(HostileText.NameLike, Gen.OneOf(Gen.Const(QaNetworkMode.Nat), Gen.Const(QaNetworkMode.Bridged))).Sample((id, mode) =>
        {
            var p = RenderPolicies.EdgeCases(mode);
            if (!Accepted(() => PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("tftp") }) { Id = id })))
            {
                return;
            }

            var seen = false;
            foreach (var ruleset in QaRenderer.RenderAll(ResolvedPolicy.Create(p), RenderPolicies.Options))
            {
                if (ruleset.Backend == QaBackend.Nftables)
                {
                    FuzzTargets.CheckNft(ruleset);
                    var comments = QaNet.Core.Publish.NftText.Parse(ruleset.Text).Values.SelectMany(o => o.Rules)
                        .Select(r => NftComment().Match(r)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
                    seen |= comments.Contains("qanet:" + id);
                }
                else if (ruleset.Backend == QaBackend.Ebtables)
                {
                    FuzzTargets.CheckEbtables(ruleset);
                    seen |= ruleset.Text.Split('\n').Contains("# qanet:" + id);
                }
            }

            Assert.True(seen, $"rule id '{id}' was accepted but no nft comment or ebtables comment line reads back as it");
        }, iter: HostileText.Iterations);

    [Fact]
    public void A_policy_description_is_refused_by_the_reader_or_read_back_unchanged() =>
        HostileText.Text.Sample(text =>
        {
            var p = RenderPolicies.EdgeCases(QaNetworkMode.Nat);
            p.Description = text;
            if (ReadBack(p) is { } back)
            {
                Assert.Equal(text.Length == 0 ? null : text, back.Description);
            }
            else
            {
                Assert.NotNull(FreeText.FirstRefused(text));
            }
        }, iter: HostileText.Iterations, print: HostileText.Show);

    [Fact]
    public void An_endpoint_description_and_a_client_name_are_refused_or_exported_and_read_back_unchanged() =>
        Gen.Select(HostileText.Text, HostileText.NameLike).Sample((description, name) =>
        {
            var p = RenderPolicies.EdgeCases(QaNetworkMode.Nat);
            var endpoint = Accepted(() => PolicyEditor.AddEndpoint(p, new EndpointSpec("extra") { Addresses = new[] { "198.51.100.7" }, Description = description }));
            var client = Accepted(() => PolicyEditor.AddClient(p, "lab", new ClientSpec(name)));
            var back = ReadBack(p);
            Assert.NotNull(back);
            if (endpoint)
            {
                Assert.Equal(description.Length == 0 ? null : description, back.FindEndpoint("extra")!.Description);
            }

            if (client)
            {
                Assert.NotNull(back.FindClient(name));
            }
            else
            {
                Assert.False(Names.IsValid(name) && p.FindClient(name) is null && p.FindEndpoint(name) is null, $"the valid name '{name}' was refused");
            }
        }, iter: HostileText.Iterations);

    [Fact]
    public void A_group_name_and_a_grant_id_are_refused_or_land_as_one_token_in_sudoers_sshd_config_and_fas_conf() =>
        Gen.Select(HostileText.NameLike, HostileText.NameLike).Sample((group, grantId) =>
        {
            var baseline = Render("qagroup", "qagrant");
            var p = AccessPolicies.Small();
            if (!Accepted(() => AccessEditor.AddGroup(p, group, new[] { "alice" }))
                || !Accepted(() => AccessEditor.AddGrant(p, new AccessGrantSpec(group, new[] { QaAccessTarget.Host("bastion") }, new[] { QaAccessRight.Shell, QaAccessRight.Sudo }) { Id = grantId })))
            {
                return;
            }

            var files = AccessRenderer.RenderHost(new QaAccessEngine(p), "bastion");
            var sudoers = Lines(files.Sudoers);
            Assert.Equal(Lines(baseline.Sudoers).Length, sudoers.Length);
            Assert.Contains("# grant " + grantId, sudoers);
            Assert.Contains(sudoers, l => l.Split(' ') is [var g, "ALL=(ALL)", "ALL"] && g == "%" + group);
            Assert.All(sudoers, l => Assert.True(l.StartsWith('#') || l.StartsWith('%'), $"sudoers line '{l}' is neither a comment nor a group rule"));

            var sshd = Lines(files.SshdConfig);
            Assert.Equal(Lines(baseline.SshdConfig).Length, sshd.Length);
            Assert.Contains(sshd, l => l.Split(' ') is ["AllowGroups", .. var groups] && groups.Contains(group));

            var fas = Lines(files.FasConf);
            Assert.Equal(Lines(baseline.FasConf).Length, fas.Length);
            Assert.Contains(fas, l => l.StartsWith("groups = ", StringComparison.Ordinal) && l["groups = ".Length..].Split(',').Contains(group));
        }, iter: HostileText.Iterations);

    private static QaAccessFiles Render(string group, string grantId)
    {
        var p = AccessPolicies.Small();
        AccessEditor.AddGroup(p, group, new[] { "alice" });
        AccessEditor.AddGrant(p, new AccessGrantSpec(group, new[] { QaAccessTarget.Host("bastion") }, new[] { QaAccessRight.Shell, QaAccessRight.Sudo }) { Id = grantId });
        return AccessRenderer.RenderHost(new QaAccessEngine(p), "bastion");
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True when the change was made; false when it was refused the documented way, with an id.</summary>
    private static bool Accepted(Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (QaValidationException ex)
        {
            Assert.All(ex.Errors, e => Assert.False(string.IsNullOrEmpty(e.Id)));
            return false;
        }
    }

    /// <summary>The policy exported and read back, or null when the reader refused the export.</summary>
    private static QaPolicy? ReadBack(QaPolicy policy)
    {
        try
        {
            return PolicyYaml.Parse(PolicyYaml.Serialize(policy), "property.yaml");
        }
        catch (QaValidationException ex)
        {
            Assert.All(ex.Errors, e => Assert.False(string.IsNullOrEmpty(e.Id)));
            return null;
        }
    }
}
