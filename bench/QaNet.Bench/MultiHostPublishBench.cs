using System.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Policy;

/// <summary>
/// One Nat network over 1, 2 and 4 lab virthosts (qn-bench-…-vhN namespaces, each with its own
/// libvirtd; needs root), one client per host: a full publish onto empty hosts, host after host
/// (throttle 1) and all at once (throttle = hosts), median of several rounds; then the per-host
/// cost of an unchanged re-publish (time, commands, mutating commands).
/// </summary>
internal static class MultiHostPublishBench
{
    private const int Runs = 5;
    private static readonly int[] HostCounts = { 1, 2, 4 };

    public static async Task RunAsync(bool preflight = true)
    {
        var id = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hosts = Enumerable.Range(1, HostCounts.Max()).Select(i => "vh" + i).ToArray();
        string Ns(string h) => $"qn-bench-{id}-{h}";
        var libvirtd = new Dictionary<string, LibvirtdInstance>(StringComparer.Ordinal);
        try
        {
            foreach (var h in hosts)
            {
                await Namespaces.CreateAsync(Ns(h));
                libvirtd[h] = await LibvirtdInstance.StartAsync(Ns(h), Path.Combine(Path.GetTempPath(), Ns(h)));
            }

            var transports = hosts.Select(h => QaHostTransport.InNamespace(h, Ns(h), libvirtd[h].Uri)).ToList();
            async Task Wipe(string h)
            {
                var run = HostTarget.Namespace(Ns(h)).CreateRunner();
                foreach (var verb in new[] { "net-destroy", "net-undefine" })
                {
                    await run.RunAsync(CommandSpec.Of("virsh", "-c", libvirtd[h].Uri, verb, "qn-bench-net"));
                }

                await run.RunAsync(CommandSpec.Of("nft", "delete", "table", "inet", "qanet"));
                await run.RunAsync(CommandSpec.Of("ebtables", "-F"));
                await run.RunAsync(CommandSpec.Of("ebtables", "-X"));
                await ProcessRunner.Instance.RunAsync(CommandSpec.Of("rm", "-rf", HostTarget.Namespace(Ns(h)).StateDirectory));
            }

            var rows = new List<string>();
            var unchanged = new List<(TimeSpan Time, int Commands, int Mutating)>();
            foreach (var n in HostCounts)
            {
                var policy = Policy(hosts.Take(n).ToArray());
                var medians = new List<TimeSpan>();
                foreach (var throttle in new[] { 1, n })
                {
                    var times = new List<TimeSpan>();
                    for (var r = 0; r < Runs; r++)
                    {
                        foreach (var h in hosts)
                        {
                            await Wipe(h);
                        }

                        var publisher = new PolicyPublisher(policy, transports: transports);
                        var artifacts = publisher.Render();
                        var watch = Stopwatch.StartNew();
                        var results = await publisher.PublishHostsAsync(artifacts, new PublishOptions { Preflight = preflight }, throttleLimit: throttle);
                        watch.Stop();
                        if (results.Any(x => x.Outcome != QaPublishOutcome.Applied))
                        {
                            throw new InvalidOperationException(HostFanOut.Summarize(results) + ": " + string.Join("; ", results.Select(x => x.Error)));
                        }

                        times.Add(watch.Elapsed);
                        if (throttle == n && n == HostCounts.Max())
                        {
                            // The unchanged re-publish, per host, on the hosts just published.
                            var recorder = new RecordingRunner(ProcessRunner.Instance);
                            var again = await new PolicyPublisher(policy, transports: transports) { LocalRunner = recorder }.PublishHostsAsync(artifacts, new PublishOptions { Preflight = preflight }, throttleLimit: 1);
                            if (again.Any(x => x.Outcome != QaPublishOutcome.Unchanged))
                            {
                                throw new InvalidOperationException("re-publish: " + HostFanOut.Summarize(again));
                            }

                            unchanged.AddRange(again.Select(x => (x.Duration, x.Commands.Count, recorder.Mutations.Count / again.Count)));
                        }
                    }

                    medians.Add(times.Order().ElementAt(times.Count / 2));
                }

                rows.Add($"| {n} | {medians[0].TotalMilliseconds:F0} ms | {medians[1].TotalMilliseconds:F0} ms | {medians[0] / medians[1]:F2}× | {medians[1].TotalMilliseconds / n:F0} ms |");
            }

            foreach (var h in hosts)
            {
                await Wipe(h);
            }

            Console.WriteLine();
            Console.WriteLine($"## publish to many virthosts: one Nat network, one client per host, full publish onto empty hosts, median of {Runs} ({Environment.ProcessorCount} cores){(preflight ? "" : ", preflight off")}");
            Console.WriteLine("| hosts | sequential (throttle 1) | parallel (throttle = hosts) | speed-up | parallel per host |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            rows.ForEach(Console.WriteLine);
            var m = unchanged.OrderBy(u => u.Time).ElementAt(unchanged.Count / 2);
            Console.WriteLine();
            Console.WriteLine($"unchanged re-publish, per host (median of {unchanged.Count}): {m.Time.TotalMilliseconds:F0} ms, {m.Commands} commands, {unchanged.Max(u => u.Mutating)} mutating");
        }
        finally
        {
            foreach (var h in hosts)
            {
                try
                {
                    if (libvirtd.TryGetValue(h, out var d))
                    {
                        await d.StopAsync();
                    }

                    await ProcessRunner.Instance.RunAsync(CommandSpec.Of("rm", "-rf", HostTarget.Namespace(Ns(h)).StateDirectory));
                }
                finally
                {
                    await Namespaces.DeleteAsync(Ns(h));
                }
            }
        }
    }

    private static QaPolicy Policy(string[] hosts) => PolicyYaml.Parse(
        "version: 1\nname: bench\n"
        + "hosts:\n  koji.fedoraproject.org: [203.0.113.10]\n  bastion.fedoraproject.org: [192.0.2.10]\n"
        + $"networks:\n  - name: qn-bench-net\n    mode: nat\n    subnet: 192.168.152.0/24\n    virthosts: [{string.Join(", ", hosts)}]\n    clients:\n"
        + string.Concat(hosts.Select((h, i) => $"      - {{ name: c{i + 1}, roles: [beaker], virthost: {h} }}\n"))
        + "endpoints:\n  - { name: bastion, hostnames: [bastion.fedoraproject.org] }\n  - { name: koji, hostnames: [koji.fedoraproject.org], ports: [80/tcp, 443/tcp] }\n"
        + "rules:\n  - { id: bastion-ssh, kind: ingress, from: 'endpoint:bastion', to: 'role:beaker', ports: [22/tcp] }\n"
        + "  - { id: beaker-koji, kind: egress, from: 'role:beaker', to: 'endpoint:koji' }\n",
        "bench.yaml");
}
