using System.Security.Cryptography;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;

namespace QaNet.Tests.Render;

/// <summary>
/// A lab namespace (<c>qn-rt-…</c>) that exists for one test and is removed afterwards, also after
/// a failure: the product's <see cref="Namespaces"/> and a runner for its <see cref="HostTarget"/>.
/// </summary>
internal sealed class RenderNamespace : IAsyncDisposable
{
    private RenderNamespace(string name)
    {
        Name = name;
        Runner = HostTarget.Namespace(name).CreateRunner();
    }

    public string Name { get; }

    public ICommandRunner Runner { get; }

    public static async Task<RenderNamespace> CreateAsync()
    {
        var ns = new RenderNamespace("qn-rt-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        await Namespaces.CreateAsync(ns.Name);
        return ns;
    }

    /// <summary>Runs a program inside the namespace, with <paramref name="stdin"/> as its input.</summary>
    public Task<CommandResult> Exec(string? stdin, params string[] argv) => Runner.RunAsync(Spec(stdin, argv));

    public async Task<string> Must(string? stdin, params string[] argv) => RenderNamespace.Must(await Exec(stdin, argv), argv);

    public static CommandSpec Spec(string? stdin, IReadOnlyList<string> argv)
    {
        var spec = new CommandSpec(argv[0], argv.Skip(1)) { Timeout = TimeSpan.FromSeconds(30) };
        return stdin is null ? spec : spec.WithStdin(stdin);
    }

    /// <summary>The output of a command that must have succeeded.</summary>
    public static string Must(CommandResult r, IReadOnlyList<string> argv)
    {
        Assert.True(r.Succeeded, $"{string.Join(' ', argv)} → exit {r.ExitCode}: {r.Stderr.Trim()}");
        return r.Stdout;
    }

    public ValueTask DisposeAsync() => new(Namespaces.DeleteAsync(Name));
}
