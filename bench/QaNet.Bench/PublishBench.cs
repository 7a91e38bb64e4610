using System.Diagnostics;
using QaNet.Core.Editing;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Policy;

/// <summary>
/// Publishing the Fedora example into a lab virthost (a qn- namespace with its own libvirtd; needs
/// root): a full apply onto an empty host, a one-client delta, and an unchanged re-publish,
/// each timed (median of several runs) with the commands it ran.
/// </summary>
internal static class PublishBench
{
    private const string VirtHost = "virthost-comm01";
    private const int Runs = 5;
    private static readonly string[] TaskotronRole = { "taskotron" };

    /// <param name="listCommands">Prints each command of the median delta with its time (where the time goes).</param>
    public static async Task RunAsync(bool preflight = true, bool listCommands = false)
    {
        var ns = "qn-bench-" + Environment.ProcessId;
        var dir = Path.Combine(Path.GetTempPath(), ns);
        await Namespaces.CreateAsync(ns);
        LibvirtdInstance? libvirtd = null;
        try
        {
            libvirtd = await LibvirtdInstance.StartAsync(ns, dir);
            var transport = QaHostTransport.InNamespace(VirtHost, ns, libvirtd.Uri);
            var runner = HostTarget.Namespace(ns).CreateRunner();
            async Task Wipe()
            {
                foreach (var verb in new[] { "net-destroy", "net-undefine" })
                {
                    await runner.RunAsync(CommandSpec.Of("virsh", "-c", libvirtd.Uri, verb, "qa-clients"));
                }

                await runner.RunAsync(CommandSpec.Of("nft", "delete", "table", "inet", "qanet"));
            }

            var full = new List<Run>();
            var delta = new List<Run>();
            var same = new List<Run>();
            for (var i = 0; i < Runs; i++)
            {
                await Wipe();
                var policy = PolicyYaml.Parse(await File.ReadAllTextAsync(FindExample()), "fedora-qa.yaml");
                full.Add(await Publish(policy, transport, preflight));
                PolicyEditor.AddClient(policy, "qa-clients", new ClientSpec("taskotron-client09") { Roles = TaskotronRole, VirtHost = VirtHost });
                delta.Add(await Publish(policy, transport, preflight));
                same.Add(await Publish(policy, transport, preflight));
            }

            await Wipe();
            Console.WriteLine();
            Console.WriteLine($"## publish: examples/policies/fedora-qa.yaml to {VirtHost} in a namespace with its own libvirtd, median of {Runs}{(preflight ? "" : ", preflight off")}");
            Console.WriteLine("| publish | time | commands | mutating |");
            Console.WriteLine("|---|---:|---:|---:|");
            var rows = new[] { ("full apply onto an empty host", full), ("one client added (delta)", delta), ("unchanged re-publish", same) };
            foreach (var (name, runs) in rows)
            {
                var m = Median(runs);
                Console.WriteLine($"| {name} | {m.Time.TotalMilliseconds:F0} ms | {m.Commands.Count} | {m.Commands.Count(c => c.Spec.Mutates)} |");
            }

            if (listCommands)
            {
                foreach (var (name, runs) in rows)
                {
                    var m = Median(runs);
                    Console.WriteLine();
                    Console.WriteLine($"### {name}: the median run's commands ({m.Commands.Sum(c => c.Time.TotalMilliseconds):F0} of {m.Time.TotalMilliseconds:F0} ms in commands)");
                    Console.WriteLine("| ms | command |");
                    Console.WriteLine("|---:|---|");
                    foreach (var c in m.Commands)
                    {
                        var line = c.Spec.ToString();
                        Console.WriteLine($"| {c.Time.TotalMilliseconds:F1} | `{(line.Length > 110 ? line[..110] + "…" : line)}`{(c.Spec.Mutates ? " (mutating)" : "")} |");
                    }
                }
            }
        }
        finally
        {
            if (libvirtd is not null)
            {
                await libvirtd.StopAsync();
            }

            await ProcessRunner.Instance.RunAsync(CommandSpec.Of("rm", "-rf", HostTarget.Namespace(ns).StateDirectory));
            await Namespaces.DeleteAsync(ns);
        }
    }

    private sealed record Run(TimeSpan Time, IReadOnlyList<(CommandSpec Spec, TimeSpan Time)> Commands);

    private static Run Median(List<Run> runs) => runs.OrderBy(r => r.Time).ElementAt(runs.Count / 2);

    private static async Task<Run> Publish(QaPolicy policy, QaHostTransport transport, bool preflight)
    {
        var recorder = new TimingRunner(ProcessRunner.Instance);
        var publisher = new PolicyPublisher(policy, transports: new[] { transport }) { LocalRunner = recorder };
        var artifacts = publisher.Render(new[] { VirtHost }).Single();
        var watch = Stopwatch.StartNew();
        var result = await publisher.PublishAsync(artifacts, new PublishOptions { Preflight = preflight });
        watch.Stop();
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.ToString());
        }

        return new Run(watch.Elapsed, recorder.Commands);
    }

    /// <summary>Runs each command through <paramref name="inner"/> and keeps it with its wall time.</summary>
    private sealed class TimingRunner(ICommandRunner inner) : ICommandRunner
    {
        private readonly List<(CommandSpec, TimeSpan)> _commands = new();

        public IReadOnlyList<(CommandSpec Spec, TimeSpan Time)> Commands
        {
            get
            {
                lock (_commands)
                {
                    return _commands.ToList();
                }
            }
        }

        public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
        {
            var watch = Stopwatch.StartNew();
            var r = await inner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
            lock (_commands)
            {
                _commands.Add((spec, watch.Elapsed));
            }

            return r;
        }
    }

    private static string FindExample()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var f = Path.Combine(d.FullName, "examples", "policies", "fedora-qa.yaml");
            if (File.Exists(f))
            {
                return f;
            }
        }

        throw new FileNotFoundException("examples/policies/fedora-qa.yaml not found above " + AppContext.BaseDirectory);
    }
}
