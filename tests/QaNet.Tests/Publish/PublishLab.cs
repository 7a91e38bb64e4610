using System.Security.Cryptography;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Publish;

namespace QaNet.Tests.Publish;

/// <summary>
/// A virthost namespace (qn-pub-…) with its own libvirtd, shared by the publish tests and removed
/// at the end whatever happens. Every test starts from <see cref="ResetAsync"/>'s known state.
/// </summary>
public sealed partial class PublishLab : IAsyncLifetime
{
    [System.Text.RegularExpressions.GeneratedRegex(@"counter packets \d+ bytes \d+")]
    private static partial System.Text.RegularExpressions.Regex CounterValues();

    public const string Keep = "qn-keep";
    public const string New = "qn-new";

    public string Ns { get; } = "qn-pub-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public LibvirtdInstance Libvirtd { get; private set; } = null!;

    private string _dir = string.Empty;

    public async Task InitializeAsync()
    {
        _dir = Path.Combine(Path.GetTempPath(), Ns);
        await Namespaces.CreateAsync(Ns);
        try
        {
            Libvirtd = await LibvirtdInstance.StartAsync(Ns, _dir);
        }
        catch
        {
            await Namespaces.DeleteAsync(Ns);
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Libvirtd.StopAsync();
            await Run("rm", "-rf", HostTarget.Namespace(Ns).StateDirectory);
        }
        finally
        {
            await Namespaces.DeleteAsync(Ns);
        }
    }

    public HostTarget Target => HostTarget.Namespace(Ns);

    /// <summary>A host whose commands go through <paramref name="recorder"/> (logical commands, before netns wrapping).</summary>
    public PublishHost Host(RecordingRunner? recorder = null) =>
        recorder is null
            ? Libvirtd.PublishHost("vh1")
            : new PublishHost("vh1", recorder, Target.StateDirectory)
            {
                LibvirtUri = Libvirtd.Uri, ScratchRunner = ProcessRunner.Instance, LibvirtConfigDirectory = LibvirtdInstance.ConfigDirectoryOf(Libvirtd.Directory),
            };

    public RecordingRunner Recorder() => new(Target.CreateRunner());

    public Task<CommandResult> InNs(params string[] argv) => InNsWithStdin(null, argv);

    public async Task<CommandResult> InNsWithStdin(string? stdin, params string[] argv)
    {
        var spec = new CommandSpec(argv[0], argv.Skip(1)) { Timeout = TimeSpan.FromSeconds(20) };
        if (stdin is not null)
        {
            spec = spec.WithStdin(stdin);
        }

        return await Target.CreateRunner().RunAsync(spec);
    }

    public async Task<string> Must(params string[] argv)
    {
        var r = await InNs(argv);
        Assert.True(r.Succeeded, $"{string.Join(' ', argv)}: {r.Stderr}");
        return r.Stdout;
    }

    public Task<string> Virsh(params string[] args) => Must(new[] { "virsh", "-c", Libvirtd.Uri }.Concat(args).ToArray());

    public static async Task Run(params string[] argv) =>
        await ProcessRunner.Instance.RunAsync(new CommandSpec(argv[0], argv.Skip(1)));

    /// <summary>Everything the fault-injection tests compare byte for byte.</summary>
    public async Task<string> LiveStateAsync()
    {
        var parts = new List<string>
        {
            // libvirt's own chains count the bridges' chatter (IPv6 router solicitations …);
            // counter values are the one thing not compared.
            "== nft\n" + CounterValues().Replace(await Must("nft", "list", "ruleset"), "counter packets N bytes N"),
            "== ebtables\n" + string.Join('\n', (await Must("ebtables-save")).Split('\n').Where(l => !l.StartsWith('#'))),
        };
        var names = (await Virsh("net-list", "--all", "--name")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order();
        foreach (var n in names)
        {
            parts.Add($"== {n}\n" + await Virsh("net-info", n) + await Virsh("net-dumpxml", "--inactive", n));
            var info = await Virsh("net-info", n);
            if (info.Contains("Active:         yes", StringComparison.Ordinal))
            {
                parts.Add(await Virsh("net-dumpxml", n));
            }
        }

        // The boot copy and hook (what a reboot would load): a rollback or revert must restore them too.
        var config = LibvirtdInstance.ConfigDirectoryOf(Libvirtd.Directory);
        foreach (var f in new[] { "qanet/networks", "qanet/tables", "qanet/qanet.nft", "qanet/ebtables", "hooks/network.d/50-qanet" })
        {
            var path = Path.Combine(config, f);
            parts.Add($"== {f}\n" + (File.Exists(path) ? await File.ReadAllTextAsync(path) : "(none)"));
        }

        return string.Join('\n', parts);
    }

    /// <summary>
    /// The state before each test: qn-keep running with c1, c2; an old QaNet table; the host's
    /// own ebtables chain next to an old QaNet chain; no qn-new; no pending publish or lock.
    /// </summary>
    public async Task ResetAsync()
    {
        await InNs("rm", "-rf", Target.StateDirectory);
        // An earlier boot copy (only its network list) and no hook.
        var config = LibvirtdInstance.ConfigDirectoryOf(Libvirtd.Directory);
        await InNs("rm", "-rf", Path.Combine(config, "qanet"), Path.Combine(config, "hooks"));
        Directory.CreateDirectory(Path.Combine(config, "qanet"));
        await File.WriteAllTextAsync(Path.Combine(config, "qanet", "networks"), Keep + "\n");
        foreach (var n in new[] { Keep, New })
        {
            await InNs("virsh", "-c", Libvirtd.Uri, "net-destroy", n);
            await InNs("virsh", "-c", Libvirtd.Uri, "net-undefine", n);
        }

        await InNsWithStdin(Artifacts.KeepXml(Artifacts.C1, Artifacts.C2), "virsh", "-c", Libvirtd.Uri, "net-define", "/dev/stdin");
        await Virsh("net-start", Keep);
        await Virsh("net-autostart", Keep);
        var eb = await InNsWithStdin(Artifacts.BaseEbtables, "ebtables-restore");
        Assert.True(eb.Succeeded, eb.Stderr);

        // Last, because a restored table is re-created and nft lists tables in creation order.
        await InNsWithStdin("table inet other\ndelete table inet other\n", "nft", "-f", "-");
        await InNsWithStdin(NftText(Artifacts.OldNft), "nft", "-f", "-");
    }

    private static string NftText(string definition) => "table inet qanet\ndelete table inet qanet\n" + definition;
}

[CollectionDefinition(Name)]
public sealed class PublishLabGroup : ICollectionFixture<PublishLab>
{
    public const string Name = "publish-lab";
}

/// <summary>The artifacts the publish tests use (what the renderers would produce).</summary>
public static class Artifacts
{
    public const string C1 = "<host mac='52:54:00:00:00:11' name='c1' ip='192.0.2.11'/>";
    public const string C2 = "<host mac='52:54:00:00:00:12' name='c2' ip='192.0.2.12'/>";
    public const string C3 = "<host mac='52:54:00:00:00:13' name='c3' ip='192.0.2.13'/>";

    public static string KeepXml(params string[] hosts) => $"""
        <network xmlns:qanet='https://qanet.dev/ns/libvirt/1'>
          <name>qn-keep</name>
          <metadata><qanet:owner policy='qa' network='qn-keep'/></metadata>
          <bridge name='qnbr-keep'/>
          <ip address='192.0.2.1' netmask='255.255.255.0'>
            <dhcp>
              <range start='192.0.2.100' end='192.0.2.200'/>
              {string.Join("\n      ", hosts)}
            </dhcp>
          </ip>
        </network>
        """;

    public const string NewXml = """
        <network>
          <name>qn-new</name>
          <bridge name='qnbr-new'/>
          <ip address='198.51.100.1' netmask='255.255.255.0'>
            <dhcp>
              <range start='198.51.100.100' end='198.51.100.200'/>
            </dhcp>
          </ip>
        </network>
        """;

    public const string OldNft = """
        table inet qanet {
            chain forward {
                type filter hook forward priority filter; policy accept;
                iifname "qnbr-keep" counter drop comment "default-deny"
            }
        }
        """;

    public const string NewNft = """
        table inet qanet {
          set clients { type ipv4_addr; elements = { 192.0.2.11, 192.0.2.13 } }
          chain forward {
            type filter hook forward priority filter; policy accept;
            ct state established,related accept comment "stateful"
            iifname "qnbr-keep" ip saddr @clients tcp dport { 80, 443 } accept comment "egress-koji"
            iifname "qnbr-keep" counter drop comment "default-deny"
          }
        }
        """;

    public const string BaseEbtables = """
        *filter
        :INPUT ACCEPT
        :FORWARD ACCEPT
        :OUTPUT ACCEPT
        :HOST-OWN ACCEPT
        :QANET-OLD RETURN
        -A FORWARD -j QANET-OLD
        -A FORWARD -i eth9 -j HOST-OWN
        -A HOST-OWN -p ARP -j ACCEPT
        -A QANET-OLD -s 52:54:00:00:00:12 -j DROP

        """;

    public const string NewEbtables = """
        *filter
        :INPUT ACCEPT
        :FORWARD ACCEPT
        :OUTPUT ACCEPT
        :QANET-FWD RETURN
        -A FORWARD -j QANET-FWD
        -A QANET-FWD -p IPv4 -s 52:54:00:00:00:11 --ip-src 192.0.2.11 -j ACCEPT
        -A QANET-FWD -s 52:54:00:00:00:11 -j DROP

        """;

    public static HostArtifacts Full() => new("vh1")
    {
        Networks = new[]
        {
            new LibvirtNetworkArtifact(PublishLab.Keep, KeepXml(C1, C3)),
            new LibvirtNetworkArtifact(PublishLab.New, NewXml),
        },
        NftTables = new[] { new NftTableArtifact("inet", "qanet", NewNft) },
        Ebtables = new EbtablesArtifact(NewEbtables),
    };

    public static HostArtifacts NftOnly(string definition) => new("vh1")
    {
        NftTables = new[] { new NftTableArtifact("inet", "qanet", definition) },
    };
}
