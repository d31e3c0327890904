using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>A new site as New-AegirSite describes it: serialisable, so creating and installing it is one task record.</summary>
public sealed record SiteDefinition(string Uri, string Platform, string? DbServer = null, string? Client = null, string? Profile = null,
    string? Language = null, IReadOnlyList<string>? Aliases = null, string? Redirection = null,
    HttpsMode? Https = null, CertificateSource? CertificateSource = null, string? CertificatePath = null, string? CertificateKeyPath = null)
{
    /// <summary>The site this describes, every value checked; the database server defaults as Aegir's does.</summary>
    public AegirSite ToSite(ContextStore store)
    {
        var site = new AegirSite(Uri.StartsWith('@') ? Uri[1..] : Uri) { PlatformName = Platform };
        if (Client is not null) site.ClientName = Client;
        if (Profile is not null) site.Profile = Profile;
        if (Language is not null) site.Language = Language;
        if (Aliases is not null) site.Aliases = Aliases;
        if (Redirection is not null) site.Redirection = Redirection;
        SiteCertificates.ApplyTo(site, Https, CertificateSource, CertificatePath, CertificateKeyPath);
        site.DbServerName = DbServer ?? DefaultDbServer(store, site.PlatformName);
        SiteCertificates.Check(store.Home, site, Given);
        return site;
    }

    /// <summary>The certificate files given (the File source), or null.</summary>
    public CertificateGiven? Given => CertificateGiven.Of(CertificatePath, CertificateKeyPath);

    /// <summary>
    /// The platform's web server when it also runs a database, else master; none when there is no master or it runs none either (a
    /// site of an application that keeps no database needs none; the install says so to one that does).
    /// </summary>
    static string? DefaultDbServer(ContextStore store, string platform)
    {
        try
        {
            if (store.GetFresh<AegirPlatform>(platform, "Platform").GetWebServer() is { Db.IsNull: false } web) return web.Name;
            if (store.TryGet(ContextNames.Master) is not AegirServer { Db.IsNull: false }) return null;
        }
        catch (AegirException) { /* the record's own check reports a missing platform */ }
        return ContextNames.Master;
    }
}
