using Aegir.Core.Contexts;
using Aegir.Core.Operations;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>The install step New-AegirSite and Install-AegirSite share.</summary>
internal static class SiteInstaller
{
    public sealed record Options(string? Title, string? AdminEmail);

    public static Options Prepare(string? title, string? adminEmail)
    {
        if (title is not null && (title.Length > 200 || title.Any(char.IsControl)))
            throw Core.Errors.ErrorCatalog.InvalidValue("Title", title, "it must be at most 200 printable characters", "Give a short title on one line.");
        return new Options(title, adminEmail is null ? null : Validate.Email("AdminEmail", adminEmail));
    }

    /// <summary>Runs the install task; the result when it worked (a failure is reported as an error).</summary>
    public static SiteInstallation? Run(TaskCmdlet cmdlet, Hosting hosting, AegirSite site, Options options)
    {
        var (task, result) = hosting.InstallSite(site, options.Title, options.AdminEmail);
        if (!cmdlet.FinishTask(task)) return null;
        return new SiteInstallation
        {
            Site = hosting.Store.GetFresh<AegirSite>(site.Name, "Uri"),
            Task = task,
            AdminUser = result?.AdminUser,
            AdminPassword = SiteInstallation.Secure(result?.AdminPassword),
            LoginUrl = result?.LoginUrl,
        };
    }
}
