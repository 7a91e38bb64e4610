using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>Stopping a lab: what it started, its namespaces, its on-host publish state and its folder.</summary>
public sealed partial class QaLab
{
    /// <summary>
    /// Removes the lab: libvirt networks and libvirtd, listeners by PID, the namespaces (and what
    /// still runs in them), the on-host publish state and the lab folder. False when no lab had
    /// that prefix. Best effort: every step runs even when an earlier one failed.
    /// </summary>
    public static async Task<bool> StopAsync(string prefix = Namespaces.DefaultPrefix, QaLabOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new QaLabOptions();
        var lab = Get(prefix, options);
        if (lab is null)
        {
            return false;
        }

        var s = lab.State;
        s.Status = QaLabState.Stopping;
        await lab.SaveAsync().ConfigureAwait(false);
        var problems = new List<string>();
        async Task Try(string what, Func<Task> step)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is QaHostException or IOException or UnauthorizedAccessException or QaValidationException or InvalidOperationException)
            {
                problems.Add(what + ": " + ex.Message);
            }
        }

        // Host access Ssh: the operator's shared connections first, then the sshds.
        foreach (var d in s.Sshd)
        {
            if (s.SshConfigFile is { } config && File.Exists(config))
            {
                await Try("ssh control master of " + d.Host, () => LabSshAccess.ExitControlMasterAsync(config, d.Host, lab._runner, cancellationToken)).ConfigureAwait(false);
            }

            if (d.Pid is { } pid)
            {
                KillIf(pid, "sshd");
            }
        }

        foreach (var l in s.Libvirtd)
        {
            await Try("libvirtd " + l.VirtHost, () => LibvirtdInstance.Attach(l.Namespace, l.Directory, l.Pid, lab._runner).StopAsync(cancellationToken)).ConfigureAwait(false);
        }

        foreach (var p in s.Processes)
        {
            KillIf(p.Pid, "socat");
        }

        foreach (var ns in Enumerable.Reverse(s.Namespaces))
        {
            // Also releases its daemons' mount namespaces and removes the publisher's state of it.
            await Try("namespace " + ns, () => Namespaces.DeleteAsync(ns, prefix, lab._runner, cancellationToken)).ConfigureAwait(false);
        }

        var left = (await Namespaces.ListAsync(prefix, lab._runner, cancellationToken).ConfigureAwait(false)).Intersect(s.Namespaces).ToList();
        if (left.Count > 0)
        {
            s.Error = "Stop left namespaces behind: " + string.Join(", ", left) + "; " + string.Join("; ", problems);
            await lab.SaveAsync().ConfigureAwait(false);
            throw new QaLabException(QaLabErrorIds.LabStopFailed, s.Error);
        }

        foreach (var p in problems)
        {
            lab._log.Warning(null, p);
        }

        Directory.Delete(s.Directory, recursive: true);
        return true;
    }

    private static void KillIf(int pid, string program)
    {
        try
        {
            // PIDs come from our own state file; check the program so a recycled PID is never killed.
            var comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
            if (comm == program)
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                p.Kill();
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Gone already.
        }
    }
}
