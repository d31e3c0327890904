using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>Rules a site operation checks before it plans anything.</summary>
internal static class SiteRules
{
    public static string? Title(string? title)
    {
        if (title is not null && (title.Length > 200 || title.Any(char.IsControl)))
            throw ErrorCatalog.InvalidValue("Title", title, "it must be at most 200 printable characters", "Give a short title on one line.");
        return title;
    }

    public static string? Email(string? email) => email is null ? null : Validate.Email("AdminEmail", email);

    public static void Installed(AegirSite site, string doing)
    {
        if (site.Status == SiteStatus.NotInstalled)
            throw ErrorCatalog.StepFailed(ErrorIds.SiteNotInstalled, $"{doing} {site.Uri}", "the site is not installed", "Install it first (Install-AegirSite).");
    }

    /// <summary>The site as the task will work on it: fresh from the store, and held by the task.</summary>
    public static AegirSite Fresh(OperationEnvironment env, string name) => env.Store.GetFresh<AegirSite>(name, "Uri");
}
