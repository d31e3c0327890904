using System.Text.Json;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Http;

/// <summary>Config files as they were before a change (null: absent), kept as task data so an undo can put them back.</summary>
internal sealed class ConfigSnapshot
{
    public List<ConfigFile> Files { get; init; } = [];

    /// <param name="CreatedFolder">The topmost folder writing the file would create, deleted again when the file had not been there.</param>
    public sealed record ConfigFile(string Path, byte[]? Content, string? CreatedFolder = null);

    public static ConfigSnapshot Take(ITransport transport, IEnumerable<string> paths)
    {
        var files = new Files.FileService(transport);
        return new() { Files = paths.Select(p => new ConfigFile(p, transport.ReadFile(p), files.FirstMissing(System.IO.Path.GetDirectoryName(p)!))).ToList() };
    }

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static ConfigSnapshot FromBytes(byte[] bytes) => JsonSerializer.Deserialize<ConfigSnapshot>(bytes) ?? new ConfigSnapshot();

    /// <summary>Writes back every file that differs from the snapshot; true when any did.</summary>
    public bool Restore(ITransport transport, UnixFileMode mode)
    {
        bool changed = false;
        foreach (var file in Files)
        {
            var now = transport.ReadFile(file.Path);
            if (now is null && file.Content is null) continue;
            if (now is not null && file.Content is not null && now.AsSpan().SequenceEqual(file.Content)) continue;
            if (file.Content is null) transport.Delete(file.CreatedFolder ?? file.Path);
            else transport.WriteFile(file.Path, file.Content, mode);
            changed = true;
        }
        return changed;
    }
}
