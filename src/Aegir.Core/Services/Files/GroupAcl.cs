using System.Text.RegularExpressions;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Files;

/// <summary>
/// POSIX ACL entries for one group on a site's folders and files (the seed's ACL approach, setfacl): read, or read
/// and write with default entries so what is made later inherits them. Walked with find -P and -execdir, as the
/// modes are: a link is never followed, in the folders a site's code writes to.
/// </summary>
public sealed partial class GroupAcl(ITransport transport, string server)
{
    /// <summary>Refuses a server without setfacl, naming the package that brings it.</summary>
    public void Require()
    {
        var result = transport.Run(new CommandSpec("setfacl", ["--version"]) { Timeout = TimeSpan.FromSeconds(30) });
        if (!result.Succeeded) throw ErrorCatalog.AclToolMissing(server, result.Summary());
    }

    /// <summary>Read for <paramref name="group"/> on everything under <paramref name="read"/> and on <paramref name="files"/>; read and write under <paramref name="write"/>.</summary>
    public void Grant(IReadOnlyList<string> read, IReadOnlyList<string> write, IReadOnlyList<string> files, string group)
    {
        Walk(read, ["-type", "d"], "-m", $"g:{group}:rx,d:g:{group}:rx", group);
        Walk(read, ["-type", "f"], "-m", $"g:{group}:r", group);
        Walk(write, ["-type", "d"], "-m", $"g:{group}:rwx,d:g:{group}:rwx", group);
        Walk(write, ["-type", "f"], "-m", $"g:{group}:rw", group);
        foreach (var file in files.Where(f => transport.Kind(f) == PathKind.File))
            Find([file], ["-maxdepth", "0", "-type", "f", "-execdir", "setfacl", "-m", $"g:{group}:r", "{}", "+"], $"Giving the group {group} read of {file}");
    }

    /// <summary>Takes the entries of group <paramref name="group"/> (a name or a number) away from everything under <paramref name="paths"/> (files among them too).</summary>
    public void Remove(IReadOnlyList<string> paths, string group)
        => Walk(paths, ["!", "-type", "l"], "-x", $"g:{group},d:g:{group}", group);

    /// <summary>The groups (by number) that have an entry of their own anywhere under <paramref name="paths"/>.</summary>
    public IReadOnlySet<int> Groups(IReadOnlyList<string> paths)
    {
        var existing = paths.Where(p => transport.Kind(p) is PathKind.Directory or PathKind.File).ToList();
        var found = new HashSet<int>();
        if (existing.Count == 0) return found;
        var result = transport.Run(new CommandSpec("getfacl", ["--recursive", "--physical", "--numeric", "--absolute-names", "--skip-base", "--", .. existing]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.AclFailed, $"Reading the ACLs of {string.Join(", ", paths)} on '@{server}'", result.Summary(), "Check that the file system holds ACLs (mounted with acl), then run the task again.");
        foreach (Match m in NamedGroup().Matches(result.StandardOutput)) found.Add(int.Parse(m.Groups[1].Value));
        return found;
    }

    void Walk(IReadOnlyList<string> roots, IReadOnlyList<string> test, string op, string spec, string group)
    {
        var existing = roots.Where(p => transport.Kind(p) is PathKind.Directory or PathKind.File).ToList();
        if (existing.Count == 0) return;
        Find(existing, [.. test, "-execdir", "setfacl", op, spec, "{}", "+"], $"{(op == "-m" ? "Giving" : "Taking from")} the group {group} {spec} in {string.Join(", ", roots)}");
    }

    void Find(IReadOnlyList<string> roots, IReadOnlyList<string> expression, string doing)
    {
        var result = transport.Run(new CommandSpec("find", ["-P", .. roots, .. expression]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.AclFailed, $"{doing} on '@{server}'", result.Summary(),
                "Check that the file system holds ACLs (mounted with the acl option) and that the group exists, then run the task again.");
    }

    [GeneratedRegex(@"^(?:default:)?group:(\d+):", RegexOptions.Multiline)] private static partial Regex NamedGroup();
}
