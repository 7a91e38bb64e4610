using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Tests.Policy;

internal static class PolicyTestFiles
{
    public const string Source = "t.yaml";

    /// <summary>A small valid policy; tests change one line of it and say where the error must be.</summary>
    public const string Minimal = """
        version: 1
        name: t
        networks:
          - name: n1
            mode: nat
            subnet: 192.168.150.0/24
            virthosts: [vh1]
            clients:
              - name: c1
                roles: [r1]
        endpoints:
          - name: koji
            addresses: [203.0.113.10]
            ports: [443/tcp]
        rules:
          - kind: egress
            from: role:r1
            to: endpoint:koji

        """;

    /// <summary><see cref="Minimal"/> with its 1-based line <paramref name="line"/> replaced (or removed when null).</summary>
    public static string MinimalWithLine(int line, string? replacement)
    {
        var lines = Minimal.Split('\n').ToList();
        if (replacement is null)
        {
            lines.RemoveAt(line - 1);
        }
        else
        {
            lines[line - 1] = replacement;
        }

        return string.Join('\n', lines);
    }

    /// <summary>Every error of a rejected file as "Id file:line:column", in the order reported.</summary>
    public static string[] Rejected(string yaml)
    {
        var ex = Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(yaml, Source));
        Assert.NotEmpty(ex.Errors);
        return ex.Errors.Select(e => $"{e.Id} {e.Location}").ToArray();
    }

    public static QaValidationError Single(string yaml, string id)
    {
        var ex = Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(yaml, Source));
        return Assert.Single(ex.Errors, e => e.Id == id);
    }
}
