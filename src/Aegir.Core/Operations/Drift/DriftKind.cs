namespace Aegir.Core.Operations.Drift;

/// <summary>What kind of thing differs from what the records and the module's templates say.</summary>
public enum DriftKind
{
    /// <summary>A site's vhost differs from the one verify writes, or is missing.</summary>
    Vhost,
    /// <summary>A site's own PHP-FPM pool file differs, or is missing.</summary>
    Pool,
    /// <summary>A settings file (a site's, or a platform's shared one) differs, or is missing.</summary>
    Settings,
    /// <summary>The owner or group of a site's folder or file is not the one verify sets.</summary>
    Owner,
    /// <summary>The mode of a folder or file is not the one verify sets.</summary>
    Mode,
    /// <summary>The site's database user holds more or less than all rights on its own database from its web server's hosts.</summary>
    Grant,
    /// <summary>The site's database is not on its server.</summary>
    Database,
    /// <summary>A folder of the site is gone.</summary>
    SiteFolder,
    /// <summary>A file of a platform's code changed, was added or went since its last verify (or its commit).</summary>
    PlatformFile,
    /// <summary>A platform's include differs, or is missing.</summary>
    Include,
    /// <summary>A package of a platform was added, removed or changed version since its last verify.</summary>
    Package,
    /// <summary>A site's certificate is missing, expired or about to expire.</summary>
    Certificate,
    /// <summary>A server's own config (its include, a cluster's front) differs, or is missing.</summary>
    ServerConfig,
    /// <summary>A symlink in a site's folders points outside them.</summary>
    Symlink,
    /// <summary>A file in a module-owned config folder that no site or platform on record accounts for.</summary>
    Extra,
}
