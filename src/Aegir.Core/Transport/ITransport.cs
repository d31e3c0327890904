namespace Aegir.Core.Transport;

/// <summary>
/// How commands and files reach one server: one connection per server per task (see
/// <see cref="ITransportFactory"/>). Services, platform kinds and permission checks do all their work
/// through this, so a remote server needs a different transport, not different services.
/// Nothing here follows a symlink unless it says so.
/// </summary>
public interface ITransport : IDisposable
{
    /// <summary>The server this connection reaches, for messages.</summary>
    string Host { get; }

    /// <summary>The account this connection runs commands as.</summary>
    string User { get; }

    CommandResult Run(CommandSpec spec);

    /// <summary>Writes a whole file atomically with the given mode (and owner/group when given).</summary>
    void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null);

    /// <summary>The most a read takes: the module reads config, manifests and settings, never a site's data.</summary>
    const int MaxRead = 64 * 1024 * 1024;

    /// <summary>
    /// The file's bytes, or null when it does not exist; a symlink there (or anything but a file) is refused, never
    /// followed, and so is a file larger than <see cref="MaxRead"/>.
    /// </summary>
    byte[]? ReadFile(string path);

    /// <summary>What is at a path, without following a symlink there.</summary>
    PathKind Kind(string path);

    /// <summary>The names in a folder (files, folders and links), sorted; empty when it does not exist.</summary>
    IReadOnlyList<string> List(string path);

    /// <summary>Files whose name matches <paramref name="pattern"/> (* and ?) below a folder, never through a symlinked folder.</summary>
    IEnumerable<string> FindFiles(string root, string pattern, int maxDepth);

    /// <summary>Creates a folder and its missing parents; an existing symlink in its place is refused, never followed.</summary>
    void CreateDirectory(string path, UnixFileMode mode);

    /// <summary>
    /// Creates (with missing parents, 0755 and this connection's own) or fixes the folder <paramref name="relative"/>
    /// below <paramref name="root"/>: owner and group, then mode. Walked folder by folder, even racing the change: no
    /// link at all below the root (<see cref="IO.SafePath.BlockedException"/> names where it stopped). True when made.
    /// </summary>
    bool EnsureDirectory(string root, string relative, UnixFileMode mode, string? owner, string? group);

    /// <summary>Changes owner and/or group of the path itself (lchown: a symlink is never followed).</summary>
    void SetOwner(string path, string? owner, string? group);

    /// <summary>Changes the mode of a file or folder; refused on a symlink rather than following it.</summary>
    void SetMode(string path, UnixFileMode mode);

    /// <summary>The mode of a file or folder (a symlink is refused).</summary>
    UnixFileMode GetMode(string path);

    /// <summary>Deletes a file, a symlink (not what it points to), or a folder with everything in it; nothing when absent.</summary>
    void Delete(string path);

    /// <summary>Renames within one file system (atomic); the target must not exist.</summary>
    void Move(string from, string to);

    bool UserExists(string name);

    bool GroupExists(string name);

    /// <summary>The name of a user's primary group (the user name when it cannot be found).</summary>
    string PrimaryGroup(string user);

    /// <summary>The owner and group of a file or folder (not following a link); null when it does not exist.</summary>
    (string User, string Group)? OwnerOf(string path);

    /// <summary>
    /// GETs a page from a web server the way a visitor of <paramref name="host"/> would, from the server itself; redirects
    /// are not followed. With <paramref name="tlsThumbprint"/> over TLS (the host as its SNI name), taking only a
    /// server that shows the certificate of that SHA-256 thumbprint.
    /// </summary>
    HttpAnswer Fetch(string address, int port, string host, string path, string? tlsThumbprint = null);

    /// <summary>Where a path leads once every symlink is resolved (the part that does not exist yet appended as it is).</summary>
    string ResolvePath(string path);

    /// <summary>Makes <paramref name="destination"/> a copy of <paramref name="source"/> (rsync -a --delete semantics).</summary>
    void Sync(string source, string destination);
}

