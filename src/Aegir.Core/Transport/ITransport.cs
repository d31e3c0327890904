namespace Aegir.Core.Transport;

/// <summary>
/// How commands and files reach one server. Services do all their work through this, so a remote server
/// needs a different transport, not different services.
/// </summary>
public interface ITransport
{
    CommandResult Run(CommandSpec spec);

    /// <summary>Writes a whole file atomically with the given mode (and owner/group when given).</summary>
    void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null);

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    byte[]? ReadFile(string path);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    void CreateDirectory(string path, UnixFileMode mode);

    /// <summary>Deletes a file, or a folder with everything in it; nothing when absent.</summary>
    void Delete(string path);
}
