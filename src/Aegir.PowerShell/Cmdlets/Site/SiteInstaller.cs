using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Platforms;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>What New-AegirSite and Install-AegirSite write for an install: the site and its admin login, once.</summary>
internal static class SiteInstaller
{
    public static SiteInstallation From(ContextStore store, string name, TaskOutcome outcome)
    {
        var result = outcome.Result as InstallResult;
        return new SiteInstallation
        {
            Site = store.GetFresh<AegirSite>(name, "Uri"),
            Task = outcome.Task,
            AdminUser = result?.AdminUser,
            AdminPassword = SiteInstallation.Secure(result?.AdminPassword),
            LoginUrl = result?.LoginUrl,
        };
    }
}
