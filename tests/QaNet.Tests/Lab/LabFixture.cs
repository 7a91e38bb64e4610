using QaNet.Core.Engine;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Lab;

/// <summary>
/// A lab for one test class, started from a variant of examples/policies/fedora-qa.yaml and
/// removed at the end whatever happens; removal fails the class if a namespace of its prefix is left.
/// </summary>
public abstract class LabFixture : IAsyncLifetime
{
    private IReadOnlyList<QaLiveResult>? _matrix;

    public abstract string Prefix { get; }

    /// <summary>How the lab is built and reached; a fixture may override it (e.g. to reach virthosts over SSH).</summary>
    public virtual QaLabOptions? Options => null;

    public QaPolicy Policy { get; private set; } = null!;

    public QaLab Lab { get; private set; } = null!;

    /// <summary>The policy the lab is built from (a fresh copy each call).</summary>
    public abstract QaPolicy CreatePolicy();

    public async Task InitializeAsync()
    {
        // A lab left over by a killed earlier run must not block this one.
        await QaLab.StopAsync(Prefix, Options);
        Policy = CreatePolicy();
        Lab = await QaLab.StartAsync(Policy, Prefix, Options);
    }

    public async Task DisposeAsync()
    {
        await QaLab.StopAsync(Prefix, Options);
        var left = await Namespaces.ListAsync(Prefix);
        if (left.Count > 0 || Directory.Exists(QaLab.DirectoryFor(Prefix, Options)))
        {
            throw new InvalidOperationException($"The lab {Prefix} left {string.Join(", ", left)} behind.");
        }
    }

    /// <summary>The full live matrix of the lab's policy, probed once per class.</summary>
    public async Task<IReadOnlyList<QaLiveResult>> MatrixAsync()
    {
        if (_matrix is null)
        {
            var engine = QaReachability.Create(Policy, DateTimeOffset.UtcNow);
            _matrix = await QaLiveMatrix.RunAsync(engine, QaLiveMatrix.Flows(Lab.State, Policy));
        }

        return _matrix;
    }

    /// <summary>Fails with every non-conforming cell listed.</summary>
    public static void AssertConforms(IReadOnlyList<QaLiveResult> results)
    {
        var bad = results.Where(r => !r.Conforms).ToList();
        Assert.True(bad.Count == 0, $"{bad.Count} of {results.Count} cells do not conform:\n" + string.Join('\n', bad.Take(40)));
    }
}
