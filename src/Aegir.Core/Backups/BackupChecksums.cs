using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aegir.Core.Backups;

/// <summary>Size and SHA-256 of every member of an archive, written last in it (checksums.json) and checked on every restore.</summary>
public sealed class BackupChecksums
{
    public Dictionary<string, BackupMember> Members { get; init; } = new(StringComparer.Ordinal);
}
