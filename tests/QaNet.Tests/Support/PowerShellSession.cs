using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using QaNet.Commands;

namespace QaNet.Tests.Support;

/// <summary>
/// The one PowerShell host of the xunit tests: a runspace with QaNet.Commands imported from the
/// test's output directory, as a user's session would have it. Each test gets its own, so each
/// starts without a current policy.
/// </summary>
internal sealed class PowerShellSession : IDisposable
{
    /// <summary>A small policy most tests start from; it becomes the current policy.</summary>
    public const string QaPolicyScript = """
        $p = New-QaPolicy -Name qa
        $n = New-QaIsolatedNetwork -Name qa-clients -Subnet 192.168.150.0/24 -Mode Nat -VirtHost virthost-comm01
        $null = $n | Add-QaClient -Name taskotron-client01 -Role taskotron
        $null = $n | Add-QaClient -Name taskotron-client02 -Role taskotron
        $null = $n | Add-QaClient -Name beaker-client01 -Role beaker
        $null = Add-QaEndpoint -Name koji -HostName koji.fedoraproject.org -Port 80/tcp,443/tcp
        $null = Add-QaEndpoint -Name bastion -Address 10.5.124.10 -Port 22/tcp
        $null = Grant-QaEgress -Role taskotron -Endpoint koji -Port 443/tcp
        $null = Grant-QaIngress -From bastion -Role beaker -Port 22/tcp
        """;

    private readonly Runspace runspace;

    public PowerShellSession()
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(typeof(AddQaClientCommand).Assembly.Location);
        runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
    }

    /// <summary>The runner under this session's host commands (a recorder or a scripted host); null: real processes.</summary>
    public QaNet.Core.Hosts.ICommandRunner? Runner
    {
        get => QaNet.Commands.Session.QaSession.Of(runspace).Runner;
        set => QaNet.Commands.Session.QaSession.Of(runspace).Runner = value;
    }

    /// <summary>A session with the small policy whose host commands go to <paramref name="runner"/>.</summary>
    public static PowerShellSession WithQaPolicy(QaNet.Core.Hosts.ICommandRunner runner)
    {
        var session = WithQaPolicy();
        session.Runner = runner;
        return session;
    }

    public static PowerShellSession WithQaPolicy()
    {
        var session = new PowerShellSession();
        session.Run(QaPolicyScript);
        return session;
    }

    /// <summary>A session whose current policy is an example policy imported by path; it is also <c>$p</c>.</summary>
    public static PowerShellSession WithExample(string file = ExamplePolicies.FedoraQaFile)
    {
        var session = new PowerShellSession();
        session.Run($"$p = Import-QaPolicy -Path '{ExamplePolicies.PathOf(file)}'");
        return session;
    }

    /// <summary>A pipeline of <paramref name="script"/> on this session's runspace, not yet started (for tests that stop it).</summary>
    public PowerShell Pipeline(string script)
    {
        var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        return ps;
    }

    /// <summary>Runs a script that must not fail; returns its output.</summary>
    public Collection<PSObject> Run(string script)
    {
        var (output, errors) = Invoke(script);
        if (errors.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("The script failed:\n" +
                string.Join("\n", errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
        }

        return output;
    }

    /// <summary>The single object a script outputs, unwrapped.</summary>
    public T Single<T>(string script) => Assert.IsAssignableFrom<T>(Assert.Single(Run(script)).BaseObject);

    /// <summary>Runs a script that must fail; returns every error, terminating or not.</summary>
    public IReadOnlyList<ErrorRecord> Errors(string script)
    {
        var (_, errors) = Invoke(script);
        Assert.NotEmpty(errors);
        return errors;
    }

    /// <summary>The FullyQualifiedErrorId of the one error a script raises.</summary>
    public string ErrorId(string script) => Assert.Single(Errors(script)).FullyQualifiedErrorId;

    private (Collection<PSObject> Output, List<ErrorRecord> Errors) Invoke(string script)
    {
        using var ps = Pipeline(script);
        var errors = new List<ErrorRecord>();
        Collection<PSObject> output;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException e)
        {
            output = new Collection<PSObject>();
            errors.Add(e.ErrorRecord);
        }

        errors.InsertRange(0, ps.Streams.Error);
        return (output, errors);
    }

    /// <summary>Sets a variable of the session (an object a script then uses as $name).</summary>
    public void SetVariable(string name, object? value) => runspace.SessionStateProxy.SetVariable(name, value);

    public void Dispose() => runspace.Dispose();
}
