namespace Aegir.Core.Transport;

/// <summary>Questions about paths answered from a transport's own members (what is there, where a link leads).</summary>
public static class TransportPaths
{
    /// <summary>True for a file, or a symlink to one.</summary>
    public static bool FileExists(this ITransport transport, string path) => Followed(transport, path) == PathKind.File;

    /// <summary>True for a folder, or a symlink to one (a platform root may be a link).</summary>
    public static bool DirectoryExists(this ITransport transport, string path) => Followed(transport, path) == PathKind.Directory;

    /// <summary>What a path leads to once its links are followed (a read only: nothing is changed through a link).</summary>
    static PathKind Followed(ITransport transport, string path)
        => transport.Kind(path) is var kind && kind == PathKind.Symlink ? transport.Kind(transport.ResolvePath(path)) : kind;
}
