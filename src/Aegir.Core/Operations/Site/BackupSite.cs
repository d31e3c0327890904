using Aegir.Core.Backups;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Backs a site up into one archive under $AEGIR_HOME/backups: its database dump, its folders (settings, files,
/// private) and a manifest with the platform's kind, version and packages and the checksum of every member.
/// The site keeps running; the task holds it, so no other change of it runs meanwhile.
/// </summary>
public sealed class BackupSite : SiteOperation<BackupSite.Parameters>
{
    /// <param name="Compression">zstd (the default) or gzip.</param>
    public sealed record Parameters(string Site, string? Description = null, string Compression = ArchiveCompression.Zstd) : ISiteParameters;

    public override string Type => "backup";

    /// <summary>
    /// A backup reads the site and changes nothing of its platform: it holds the site alone, so backups of sites on
    /// one platform run side by side.
    /// </summary>
    public override IReadOnlyList<string> LocksOf(Parameters p, Contexts.ContextStore store) => [];

    /// <summary>A backup changes no web server config.</summary>
    public override IReadOnlyList<string> WebServersOf(Parameters p, Contexts.ContextStore store) => [];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        if (!ArchiveCompression.Names.Contains(p.Compression))
            throw Errors.ErrorCatalog.InvalidValue("Compression", p.Compression, "it is not a compression this module writes", "Use zstd or gzip.");
        if (p.Description is { } d && (d.Length > 500 || d.Any(char.IsControl)))
            throw Errors.ErrorCatalog.InvalidValue("Description", d, "it must be at most 500 printable characters", "Give a short description on one line.");
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Backing up");
        var parts = SiteParts.Resolve(site, env);
        AegirBackup? made = null;
        SiteArchive.Step(plan, parts, p.Compression, p.Description, "back up", b => made = b);
        plan.Result = () => made;
    }
}
