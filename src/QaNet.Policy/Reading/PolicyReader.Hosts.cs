using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>The <c>hosts:</c> name map and the <c>transports:</c> section.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] TransportKeys = { "namespace", "ssh", "libvirt" };
    private static readonly string[] SshKeys = { "host", "user", "port", "configFile", "identityFile", "clientNamespace" };

    private void ReadHosts(QaPolicy policy, Fields fields)
    {
        var node = fields["hosts"];
        if (node is null)
        {
            return;
        }

        if (node is not YamlMapping map)
        {
            WrongType(node, "hosts", "a mapping of host names to address lists");
            return;
        }

        foreach (var (key, value) in map.Entries)
        {
            var path = $"hosts[{key.Value}]";
            if (policy.Hosts.ContainsKey(key.Value))
            {
                errors.Add(key, QaErrorIds.PolicyDuplicateKey, path,
                    $"The host name '{key.Value}' appears twice in hosts (host names ignore case).",
                    "Keep one entry and list all its addresses there.");
                continue;
            }

            var addresses = new List<IPAddress>();
            if (value is YamlSequence sequence)
            {
                foreach (var item in sequence.Items)
                {
                    if (ScalarText(item, path) is { } text && ParseAddress(text, item, path) is { } address && !addresses.Contains(address))
                    {
                        addresses.Add(address);
                    }
                }
            }
            else if (!(value is YamlScalar { IsNull: true }))
            {
                WrongType(value, path, "a list of addresses ([203.0.113.10])");
            }

            policy.Hosts[key.Value] = addresses;
            AddMark(path, key);
        }
    }

    /// <summary>
    /// <c>transports:</c> host → <c>local</c> | a short form (<c>namespace:qn-vh1</c>, <c>ssh:root@vh2</c>) |
    /// <c>{namespace: …, ssh: … | {host, user, port, configFile, identityFile}, libvirt: …}</c>.
    /// The long form is checked by the validator, so its errors point at the offending key.
    /// </summary>
    private void ReadTransports(QaPolicy policy, Fields fields)
    {
        var node = fields["transports"];
        if (node is null)
        {
            return;
        }

        if (node is not YamlMapping map)
        {
            WrongType(node, "transports", "a mapping of host names to transports");
            return;
        }

        foreach (var (key, value) in map.Entries)
        {
            var host = key.Value;
            var path = $"transports[{host}]";
            if (policy.Transports.ContainsKey(host))
            {
                errors.Add(key, QaErrorIds.PolicyDuplicateKey, path,
                    $"The host '{host}' has two transports.", "Keep one entry per host.");
                continue;
            }

            QaHostTransport? transport;
            if (value is YamlScalar { IsNull: false } shortForm)
            {
                try
                {
                    transport = QaHostTransport.Parse(host, shortForm.Value);
                }
                catch (QaValidationException ex)
                {
                    foreach (var e in ex.Errors)
                    {
                        errors.Add(value, e with { Path = e.Path ?? path });
                    }

                    continue;
                }
            }
            else if (ReadMapping(value, path, TransportKeys) is { } f)
            {
                transport = ReadLongTransport(host, f, path);
            }
            else
            {
                continue;
            }

            if (transport is not null)
            {
                policy.Transports[host] = transport;
                AddMark(path, key);
            }
        }
    }

    private QaHostTransport? ReadLongTransport(string host, Fields f, string path)
    {
        Mark(path, f);
        var ns = ReadString(f, "namespace");
        var libvirt = ReadString(f, "libvirt");
        var ssh = f["ssh"];
        if (ns is not null && ssh is not null)
        {
            errors.Add(f.Node, QaErrorIds.InvalidTransport, path,
                $"Host '{host}' has both a namespace and ssh.", "Give one of namespace or ssh (neither: the host is local).");
            return null;
        }

        if (ssh is null)
        {
            return new QaHostTransport(host, ns is null ? QaTransportKind.Local : QaTransportKind.Namespace) { Namespace = ns, LibvirtUri = libvirt };
        }

        if (ssh is YamlScalar sshHost)
        {
            return new QaHostTransport(host, QaTransportKind.Ssh) { SshHost = sshHost.Value, LibvirtUri = libvirt };
        }

        if (ReadMapping(ssh, path + ".ssh", SshKeys) is not { } sf)
        {
            return null;
        }

        Mark(path + ".ssh", sf);
        return new QaHostTransport(host, QaTransportKind.Ssh)
        {
            SshHost = ReadString(sf, "host"),
            SshUser = ReadString(sf, "user"),
            SshPort = ReadInt(sf, "port"),
            SshConfigFile = ReadString(sf, "configFile"),
            SshIdentityFile = ReadString(sf, "identityFile"),
            SshClientNamespace = ReadString(sf, "clientNamespace"),
            LibvirtUri = libvirt,
        };
    }
}
