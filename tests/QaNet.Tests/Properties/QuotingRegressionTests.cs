using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;
using QaNet.Tests.Render;

namespace QaNet.Tests.Properties;

/// <summary>Inputs the quoting properties found, kept as plain cases.</summary>
public sealed class QuotingRegressionTests
{
    /// <summary>
    /// Found by WriterQuotingProperties: a description holding CR or NEL was exported as
    /// a plain scalar, and the reader's line-break normalisation read it back as LF, which the
    /// free-text rule allows: the export silently changed the text. Now it is written double-quoted
    /// with escapes, so the reader sees the character and refuses it with InvalidText.
    /// </summary>
    [Theory]
    [InlineData("0\rj~")]
    [InlineData("}0\u0085x9}")]
    [InlineData("a\r\nb")]
    public void An_exported_description_with_a_line_break_other_than_LF_is_refused_when_read_back_not_changed(string description)
    {
        var p = RenderPolicies.EdgeCases(QaNetworkMode.Nat);
        p.Description = description;
        var yaml = PolicyYaml.Serialize(p);
        var ex = Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(yaml, "export.yaml"));
        Assert.Equal(QaErrorIds.InvalidText, ex.ErrorId);
    }
}
