namespace Aegir.Core.Transport;

/// <summary>A task's hold on a shared connection: every member goes to it; disposing lets it go (once), never closes it.</summary>
internal sealed class SharedTransport(ITransport inner, Action release) : ITransport
{
    int _released;

    public ITransport Inner => inner;
    public string Host => inner.Host;
    public string User => inner.User;
    public CommandResult Run(CommandSpec spec) => inner.Run(spec);
    public void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null) => inner.WriteFile(path, content, mode, owner, group);
    public byte[]? ReadFile(string path) => inner.ReadFile(path);
    public PathKind Kind(string path) => inner.Kind(path);
    public IReadOnlyList<string> List(string path) => inner.List(path);
    public IEnumerable<string> FindFiles(string root, string pattern, int maxDepth) => inner.FindFiles(root, pattern, maxDepth);
    public void CreateDirectory(string path, UnixFileMode mode) => inner.CreateDirectory(path, mode);
    public bool EnsureDirectory(string root, string relative, UnixFileMode mode, string? owner, string? group) => inner.EnsureDirectory(root, relative, mode, owner, group);
    public void SetOwner(string path, string? owner, string? group) => inner.SetOwner(path, owner, group);
    public void SetMode(string path, UnixFileMode mode) => inner.SetMode(path, mode);
    public UnixFileMode GetMode(string path) => inner.GetMode(path);
    public void Delete(string path) => inner.Delete(path);
    public void Move(string from, string to) => inner.Move(from, to);
    public bool UserExists(string name) => inner.UserExists(name);
    public bool GroupExists(string name) => inner.GroupExists(name);
    public string PrimaryGroup(string user) => inner.PrimaryGroup(user);
    public (string User, string Group)? OwnerOf(string path) => inner.OwnerOf(path);
    public HttpAnswer Fetch(string address, int port, string host, string path, string? tlsThumbprint = null) => inner.Fetch(address, port, host, path, tlsThumbprint);
    public string ResolvePath(string path) => inner.ResolvePath(path);
    public void Sync(string source, string destination) => inner.Sync(source, destination);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) release();
    }
}
