using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using QaNet.Tests.Policy;

namespace QaNet.Tests.Core;

/// <summary>
/// The folders of QaNet.Core form layers (docs/architecture.md): each folder is one namespace,
/// and no folder reaches back, directly or through others, into a folder that depends on it.
/// The graph comes from the compiler's binding of every name in the sources, so fully
/// qualified and relative uses count as much as <c>using</c> lines.
/// </summary>
public sealed class FolderDependencyTests
{
    internal static readonly Lazy<CoreGraph> Graph = new(CoreGraph.Build);

    [Fact]
    public void Every_file_of_QaNet_Core_declares_the_namespace_of_its_top_folder()
    {
        var wrong = Graph.Value.Files
            .Where(f => f.Namespaces.Any(ns => ns != "QaNet.Core." + f.Folder && !ns.StartsWith("QaNet.Core." + f.Folder + ".", StringComparison.Ordinal)))
            .Select(f => $"{f.Path}: {string.Join(", ", f.Namespaces)}")
            .ToList();
        Assert.True(wrong.Count == 0, "Files outside their folder's namespace:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void The_folders_of_QaNet_Core_have_no_dependency_cycle()
    {
        var cycles = Graph.Value.Cycles();
        Assert.True(cycles.Count == 0, "Folder cycles (each with one use per edge):\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void The_graph_sees_uses_that_have_no_using_line()
    {
        // Guards the test itself: Lab calls Publish and Engine only through names the
        // compiler binds, and Net depends on nothing.
        var g = Graph.Value;
        Assert.Contains("Publish", g.DependenciesOf("Lab"));
        Assert.Contains("Engine", g.DependenciesOf("Analysis"));
        Assert.Empty(g.DependenciesOf("Net"));
        Assert.DoesNotContain("Analysis", g.DependenciesOf("Engine"));
    }

    internal sealed record SourceFile(string Path, string Folder, IReadOnlyList<string> Namespaces);

    internal sealed class CoreGraph
    {
        private readonly Dictionary<string, Dictionary<string, string>> edges = new(StringComparer.Ordinal);

        public List<SourceFile> Files { get; } = new();

        /// <summary>Each call of <c>System.Net.IPNetwork.Contains</c> outside Net/IpMath.cs, as file:line (AddressSemanticsTests).</summary>
        public List<string> RawPrefixContains { get; } = new();

        public static CoreGraph Build()
        {
            var root = Path.Combine(Support.ExamplePolicies.RepoRoot, "src", "QaNet.Core");
            var paths = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(p => !IsBuildOutput(Path.GetRelativePath(root, p)))
                .OrderBy(p => p, StringComparer.Ordinal)
                .ToList();
            var trees = paths.Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), path: p)).ToList();
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
                .Split(Path.PathSeparator)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
                .Select(p => MetadataReference.CreateFromFile(p));
            // The project's implicit usings (ImplicitUsings=enable), so LINQ chains bind.
            var implicitUsings = CSharpSyntaxTree.ParseText(string.Join("\n",
                new[] { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks" }
                    .Select(n => $"global using {n};")));
            var compilation = CSharpCompilation.Create("QaNet.Core.Graph", trees.Append(implicitUsings), references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));

            var g = new CoreGraph();
            foreach (var tree in trees)
            {
                var relative = Path.GetRelativePath(root, tree.FilePath);
                var parts = relative.Split(Path.DirectorySeparatorChar);
                if (parts.Length < 2)
                {
                    continue; // files at the project's root belong to no folder
                }

                var folder = parts[0];
                var syntax = tree.GetRoot();
                var namespaces = syntax.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>()
                    .Select(n => n.Name.ToString()).Distinct(StringComparer.Ordinal).ToList();
                g.Files.Add(new SourceFile(relative, folder, namespaces));

                var model = compilation.GetSemanticModel(tree);
                foreach (var name in syntax.DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    var info = model.GetSymbolInfo(name);
                    var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                    if (symbol is IMethodSymbol { Name: "Contains" } m && m.ContainingType.ToDisplayString() == "System.Net.IPNetwork" &&
                        relative != Path.Combine("Net", "IpMath.cs"))
                    {
                        g.RawPrefixContains.Add($"{relative}:{name.GetLocation().GetLineSpan().StartLinePosition.Line + 1}");
                    }

                    var target = FolderOf(symbol);
                    if (target is not null && target != folder)
                    {
                        var line = name.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                        g.Add(folder, target, $"{relative}:{line} {name.Identifier.Text}");
                    }
                }
            }

            return g;
        }

        public IReadOnlyCollection<string> DependenciesOf(string folder) =>
            edges.TryGetValue(folder, out var to) ? to.Keys : Array.Empty<string>();

        /// <summary>Each strongly connected group of folders, printed as its edges with one example use each.</summary>
        public List<string> Cycles()
        {
            var nodes = edges.Keys.Concat(edges.Values.SelectMany(v => v.Keys)).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var low = new Dictionary<string, int>(StringComparer.Ordinal);
            var stack = new Stack<string>();
            var onStack = new HashSet<string>(StringComparer.Ordinal);
            var groups = new List<List<string>>();
            var next = 0;

            void Visit(string v)
            {
                index[v] = low[v] = next++;
                stack.Push(v);
                onStack.Add(v);
                foreach (var w in DependenciesOf(v).OrderBy(n => n, StringComparer.Ordinal))
                {
                    if (!index.TryGetValue(w, out var seen))
                    {
                        Visit(w);
                        low[v] = Math.Min(low[v], low[w]);
                    }
                    else if (onStack.Contains(w))
                    {
                        low[v] = Math.Min(low[v], seen);
                    }
                }

                if (low[v] == index[v])
                {
                    var group = new List<string>();
                    string w;
                    do
                    {
                        w = stack.Pop();
                        onStack.Remove(w);
                        group.Add(w);
                    }
                    while (w != v);
                    if (group.Count > 1)
                    {
                        groups.Add(group);
                    }
                }
            }

            foreach (var n in nodes.Where(n => !index.ContainsKey(n)))
            {
                Visit(n);
            }

            return groups.Select(group =>
            {
                var members = new HashSet<string>(group, StringComparer.Ordinal);
                var lines = members.OrderBy(m => m, StringComparer.Ordinal)
                    .SelectMany(from => edges[from].Where(e => members.Contains(e.Key)).Select(e => $"  {from} -> {e.Key}  ({e.Value})"));
                return string.Join("\n", lines);
            }).ToList();
        }

        private void Add(string from, string to, string example)
        {
            if (!edges.TryGetValue(from, out var targets))
            {
                edges[from] = targets = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            targets.TryAdd(to, example);
        }

        private static bool IsBuildOutput(string relative) =>
            relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

        private static string? FolderOf(ISymbol? symbol)
        {
            if (symbol is null or INamespaceSymbol)
            {
                return null;
            }

            if (symbol is IMethodSymbol { ReducedFrom: { } reduced })
            {
                symbol = reduced; // an extension method belongs where it is declared
            }

            var ns = (symbol as ITypeSymbol ?? symbol.ContainingType)?.ContainingNamespace?.ToDisplayString();
            if (ns is null || !ns.StartsWith("QaNet.Core.", StringComparison.Ordinal))
            {
                return null;
            }

            var rest = ns["QaNet.Core.".Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? rest : rest[..dot];
        }
    }
}
