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

    public static async Task RunAsync(bool preflight = true)
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

            var full = new List<(TimeSpan, int, int)>();
            var delta = new List<(TimeSpan, int, int)>();
            var same = new List<(TimeSpan, int, int)>();
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
            foreach (var (name, runs) in new[] { ("full apply onto an empty host", full), ("one client added (delta)", delta), ("unchanged re-publish", same) })
            {
                var m = runs.OrderBy(r => r.Item1).ElementAt(runs.Count / 2);
                Console.WriteLine($"| {name} | {m.Item1.TotalMilliseconds:F0} ms | {m.Item2} | {m.Item3} |");
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

    private static async Task<(TimeSpan, int, int)> Publish(QaPolicy policy, QaHostTransport transport, bool preflight)
    {
        var recorder = new RecordingRunner(ProcessRunner.Instance);
        var publisher = new PolicyPublisher(policy, transports: new[] { transport }) { LocalRunner = recorder };
        var artifacts = publisher.Render(new[] { VirtHost }).Single();
        var watch = Stopwatch.StartNew();
        var result = await publisher.PublishAsync(artifacts, new PublishOptions { Preflight = preflight });
        watch.Stop();
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.ToString());
        }

        return (watch.Elapsed, recorder.Commands.Count, recorder.Mutations.Count);
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
