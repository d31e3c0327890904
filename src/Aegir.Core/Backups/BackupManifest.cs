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
    public required string Platform { get; init; }
    public required string PlatformKind { get; init; }
    public string? PlatformVersion { get; init; }
    public required string DbServer { get; init; }
    /// <summary>The database's driver (mysql, pgsql): a dump restores only into the same kind of database.</summary>
    public required string DbType { get; init; }
    /// <summary>The site's folders, relative to the platform's root, as the archive holds them under site/.</summary>
    public IReadOnlyList<string> SiteRoots { get; init; } = [];
    public IReadOnlyList<BackupPackage> Packages { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };
}

public sealed record BackupPackage(string Name, string Type, string? Version, bool? Enabled);

/// <summary>Size and SHA-256 of every member of an archive, written last in it (checksums.json) and checked on every restore.</summary>
public sealed class BackupChecksums
{
    public Dictionary<string, BackupMember> Members { get; init; } = new(StringComparer.Ordinal);
}

public sealed record BackupMember(long Size, string Sha256);
