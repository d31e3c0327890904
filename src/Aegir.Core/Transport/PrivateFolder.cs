namespace Aegir.Core.Transport;

/// <summary>
/// A folder under /tmp of a server that only its owner may enter (0700), for files that hold secrets (a password
/// file, a client's option file) while one command runs; deleted with everything in it when disposed.
/// </summary>
public sealed class PrivateFolder : IDisposable
{
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    readonly ITransport _transport;
    readonly string? _owner;

    public string Path { get; }

    PrivateFolder(ITransport transport, string path, string? owner)
    {
        _transport = transport;
        Path = path;
        _owner = owner;
    }

    /// <summary>A new folder, named <paramref name="prefix"/> and a random part; given to <paramref name="owner"/> when that is not this connection's user.</summary>
    public static PrivateFolder Create(ITransport transport, string prefix, string? owner = null) => At(transport, NewPath(prefix), owner);

    /// <summary>A path for a new folder under /tmp of the server (which may not be this machine), named <paramref name="prefix"/> and a random part.</summary>
    public static string NewPath(string prefix) => $"/tmp/{prefix}-{Guid.NewGuid():N}";

    /// <summary>Makes the folder at <paramref name="path"/> (from <see cref="NewPath"/>, so its name can be journaled before it is there).</summary>
    public static PrivateFolder At(ITransport transport, string path, string? owner = null)
    {
        transport.CreateDirectory(path, Private);
        if (owner is not null && owner != transport.User) transport.SetOwner(path, owner, null);
        return new PrivateFolder(transport, path, owner is not null && owner != transport.User ? owner : null);
    }

    /// <summary>Writes a file only the folder's owner may read (or also write, with <paramref name="writable"/>); its path.</summary>
    public string Write(string name, string content, bool writable = false)
    {
        var path = System.IO.Path.Combine(Path, name);
        _transport.WriteFile(path, System.Text.Encoding.UTF8.GetBytes(content), writable ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead, _owner);
        return path;
    }

    public void Dispose() => _transport.Delete(Path);
}
