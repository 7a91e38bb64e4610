using System.Management.Automation;

namespace QaNet.Commands.Loading;

/// <summary>PowerShell calls this when the module is imported and removed.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => PolicyIsolation.Register();

    public void OnRemove(PSModuleInfo psModuleInfo) => PolicyIsolation.Unregister();
}
