using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aegir.Core.Backups;

public sealed record BackupMember(long Size, string Sha256);
