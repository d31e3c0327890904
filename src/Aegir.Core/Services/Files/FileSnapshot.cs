using System.Text.Json;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Files;

/// <summary>A managed file as it was before a step wrote it (null content: there was none), kept as task data for the undo.</summary>
public sealed record FileSnapshot(byte[]? Content, UnixFileMode Mode, string Owner, string Group)
{
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static FileSnapshot FromBytes(byte[] bytes) => JsonSerializer.Deserialize<FileSnapshot>(bytes)!;

    /// <summary>Puts the file back as it was: its old content with the managed owner and mode, or no file.</summary>
    public void Restore(ITransport transport, string path)
    {
        if (Content is null) transport.Delete(path);
        else transport.WriteFile(path, Content, Mode, Owner, Group);
    }
}
