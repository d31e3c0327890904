using System.Formats.Tar;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>GNU tar as the fake server runs it: --create writes its files as a real tar stream, --extract reads one into it.</summary>
public static class FakeTar
{
    public static CommandResult Run(FakeTransport server, CommandSpec spec)
    {
        var root = spec.Arguments.First(a => a.StartsWith("--directory=", StringComparison.Ordinal))["--directory=".Length..];
        if (spec.Arguments.Contains("--create"))
        {
            var paths = spec.Arguments.SkipWhile(a => a != "--").Skip(1).ToList();
            using var tar = new TarWriter(spec.OutputStream!, TarEntryFormat.Pax, leaveOpen: true);
            foreach (var relative in paths)
            {
                var top = Path.Combine(root, relative);
                foreach (var (path, node) in server.Nodes.Where(kv => kv.Key == top || kv.Key.StartsWith(top + "/", StringComparison.Ordinal)).ToList())
                {
                    var name = Path.GetRelativePath(root, path);
                    switch (node.Kind)
                    {
                        case PathKind.Directory: tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = node.Mode }); break;
                        case PathKind.File: tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = node.Mode, DataStream = new MemoryStream(node.Content!) }); break;
                        case PathKind.Symlink: tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = node.Target! }); break;
                    }
                }
            }
            return FakeTransport.Ok;
        }
        using var reader = new TarReader(spec.InputStream!, leaveOpen: true);
        while (reader.GetNextEntry() is { } e)
        {
            var path = Path.Combine(root, e.Name.TrimEnd('/'));
            switch (e.EntryType)
            {
                case TarEntryType.Directory: server.CreateDirectory(path, e.Mode); break;
                case TarEntryType.RegularFile:
                    var data = new MemoryStream();
                    e.DataStream?.CopyTo(data);
                    server.WriteFile(path, data.ToArray(), e.Mode);
                    break;
                case TarEntryType.SymbolicLink: server.Link(path, e.LinkName); break;
                case TarEntryType.HardLink: server.WriteFile(path, server.ReadFile(Path.Combine(root, e.LinkName))!, e.Mode); break;
                default: return new CommandResult(2, "", $"tar: {e.Name}: unexpected member", TimeSpan.Zero);
            }
        }
        return FakeTransport.Ok;
    }
}
