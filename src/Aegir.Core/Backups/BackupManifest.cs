using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aegir.Core.Backups;

/// <summary>
/// What a backup holds, written first in its archive (manifest.json) so a restore can refuse a wrong archive before
/// reading the rest: the site's record, its platform's kind and version, its packages, the folders it holds.
/// </summary>
public sealed class BackupManifest
{
    public int Format { get; init; } = 1;
    public required string Uri { get; init; }
    public DateTimeOffset Created { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public string? Redirection { get; init; }
    public string? Profile { get; init; }
    public string? Language { get; init; }
    public string? Client { get; init; }
    /// <summary>The site's own web server settings (key=value), so a restore of a removed site can name them.</summary>
    public IReadOnlyList<string> WebSettings { get; init; } = [];
    /// <summary>Whether the site was served over HTTPS, and whence its certificate came: a removed site comes back served as it was.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Contexts.HttpsMode>))]
    public Contexts.HttpsMode Https { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<Contexts.CertificateSource>))]
    public Contexts.CertificateSource CertificateSource { get; init; }
    public required string Platform { get; init; }
    public required string PlatformKind { get; init; }
    public string? PlatformVersion { get; init; }
    /// <summary>The server of the site's database; null for a site without one.</summary>
    public string? DbServer { get; init; }
    /// <summary>The database's driver (mysql, pgsql): a dump restores only into the same kind of database; <see cref="NoDatabase"/> for a site without one.</summary>
    public required string DbType { get; init; }

    /// <summary>The database type of a backup of a site without a database: it holds no dump, and goes only to such a site.</summary>
    public const string NoDatabase = "none";
    /// <summary>The site's folders, relative to the platform's root, as the archive holds them under site/.</summary>
    public IReadOnlyList<string> SiteRoots { get; init; } = [];
    public IReadOnlyList<BackupPackage> Packages { get; init; } = [];

    /// <summary>
    /// Refuses a manifest whose values are no names this module would write (it came with an archive, so it is
    /// anyone's): the uri, aliases and redirection are site host names, the contexts' names are names, the kind and
    /// database type are known ones, and the folders are plain relative paths.
    /// </summary>
    public void Check(Func<string, Exception> broken)
    {
        try
        {
            Contexts.Validate.SiteHost("uri", Uri);
            foreach (var alias in Aliases) Contexts.Validate.SiteHost("aliases", alias);
            if (Redirection is not null) Contexts.Validate.SiteHost("redirection", Redirection);
            Contexts.ContextNames.Canonical("platform", Platform, Contexts.ContextType.Platform);
            if (DbServer is not null) Contexts.ContextNames.Canonical("db_server", DbServer, Contexts.ContextType.Server);
            if (Client is not null) Contexts.ContextNames.Canonical("client", Client, Contexts.ContextType.Client);
            if (Profile is not null) Contexts.Validate.Profile("profile", Profile);
            if (Language is not null) Contexts.Validate.Language("language", Language);
            _ = new Contexts.AegirSite(Uri) { WebSettings = WebSettings };
        }
        catch (Errors.AegirException ex) { throw broken($"its manifest names {ex.Message}"); }
        if (!Enum.IsDefined(Https) || !Enum.IsDefined(CertificateSource))
            throw broken("its manifest names an HTTPS mode or certificate source this module does not know");
        if (!Platforms.PlatformKinds.Names.Contains(PlatformKind)) throw broken($"its manifest names the platform kind {Errors.ErrorCatalog.Show(PlatformKind)}, which is none of {string.Join(", ", Platforms.PlatformKinds.Names)}");
        // The database type must be the restore's own (checked there); here only that it is a word.
        if (DbType is not { Length: > 0 and <= 16 } || !DbType.All(char.IsAsciiLetterLower)) throw broken($"its manifest names the database type {Errors.ErrorCatalog.Show(DbType)}, which is no database driver's name");
        foreach (var root in SiteRoots)
            if (root.Length == 0 || root.StartsWith('/') || root.Split('/').Any(p => p is "" or "." or "..") || root.Any(char.IsControl))
                throw broken($"its manifest names the site folder {Errors.ErrorCatalog.Show(root)}, which is no plain relative path");
        if (Description is not null && Description.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
            throw broken("its description holds control characters");
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };
}

