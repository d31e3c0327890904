using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aegir.Core.Backups;

public sealed record BackupPackage(string Name, string Type, string? Version, bool? Enabled);
