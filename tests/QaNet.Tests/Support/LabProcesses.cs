using System.Diagnostics;

namespace QaNet.Tests.Support;

/// <summary>Ends a daemon a lab test started (sshd, nslcd): its whole process tree, waited for (bounded).</summary>
internal static class LabProcesses
{
    public static void Stop(ref Process? process)
    {
        if (process is not { } p)
        {
            return;
        }

        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        p.Dispose();
        process = null;
    }
}
