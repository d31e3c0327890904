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

    /// <summary>
    /// Refuses a new site (installed, imported, cloned or renamed to) whose own folders or settings file are in its
    /// platform already: shipped with the codebase or left by a site outside this module, they would be taken over,
    /// made writable for the web server, and deleted with the site.
    /// </summary>
    public static void FoldersFree(OperationEnvironment env, SiteParts parts, string doing)
    {
        var web = env.Connect(parts.Web);
        var uri = parts.Site.Uri;
        var paths = parts.Kind.SiteRoots(uri).Concat(parts.Kind.SiteSettingsPath(uri) is { } settings ? [settings] : []).Distinct();
        foreach (var relative in paths)
            if (web.Kind(Path.Combine(parts.Platform.Root, relative)) != Transport.PathKind.None)
                throw ErrorCatalog.StepFailed(ErrorIds.SiteFolderExists, doing, $"@{parts.Platform.Name} holds {relative} already",
                    $"Move {Path.Combine(parts.Platform.Root, relative)} out of the codebase first, or choose another uri; a site made there outside this module is taken in with Import-AegirSite -Platform {parts.Platform.Name} -Uri {uri}.");
    }

    /// <summary>
    /// Whether a new site gets a database: an application that keeps none (a manifest's database: none) gives its
    /// sites none, nor a database server (one named, <paramref name="given"/>, is refused), and a key of their own for
    /// the settings' secret instead; any other needs a database server.
    /// </summary>
    public static void Database(AegirSite site, Platforms.IPlatformKind kind, AegirPlatform platform, string? given, bool creating)
    {
        if (!kind.UsesDatabase)
        {
            if (given is not null)
                throw ErrorCatalog.InvalidValue("DbServer", given, $"the application of @{platform.Name} keeps no database (its manifest says database: none), so its sites get none", "Leave -DbServer out.");
            site.DbServerName = null;
            site.SiteKey ??= IO.Passwords.New();
            return;
        }
        if (!site.HasDatabase)
            throw !creating ? ErrorCatalog.SiteNeedsDatabase(site.Uri, platform.Name)
                : ErrorCatalog.InvalidValue("DbServer", null, $"no server runs a database for {site.Uri}: neither the web server of @{platform.Name} nor @{ContextNames.Master} has a db service", "Give -DbServer, a server that runs a database (New-AegirServer -DbServiceType).");
    }

    /// <summary>The site as the task will work on it: fresh from the store, and held by the task.</summary>
    public static AegirSite Fresh(OperationEnvironment env, string name) => env.Store.GetFresh<AegirSite>(name, "Uri");
}
