using System.Text.RegularExpressions;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Files;

/// <summary>
/// POSIX ACL entries for one group on a site's folders and files (the seed's ACL approach, setfacl): read, or read
/// and write with default entries so what is made later inherits them. Walked with find -P and -execdir, as the
/// modes are: a link is never followed, in the folders a site's code writes to. setfacl itself follows a link named
/// to it, and a site's code can swap a file it owns for a link between find's look and setfacl's change: so the walk
/// runs as the files' owner (<paramref name="owner"/>, the site's account or the script user), over what it owns
/// alone, and a link swapped in leads to nothing it may change (EPERM), never to root's files.
/// </summary>
public sealed partial class GroupAcl(ITransport transport, string server, string? owner = null)
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
        // An ACL set by an owner outside the folder's group clears its setgid bit (the kernel's rule): the folders the
        // web server writes keep theirs, so what is made there stays the web group's. (chmod g+s through a link swapped
        // in would only make another folder setgid.)
        if (owner is not null && transport.User != owner && write.Where(p => transport.Kind(p) == PathKind.Directory).ToList() is { Count: > 0 } folders)
            Find(folders, ["-type", "d", "-user", owner, "!", "-perm", "-2000", "-execdir", "chmod", "g+s", "{}", "+"], $"Keeping the folders in {string.Join(", ", write)} setgid", asOwner: false);
        foreach (var file in files.Where(f => transport.Kind(f) == PathKind.File))
            Find([file], ["-maxdepth", "0", "-type", "f", .. Owned, "-execdir", "setfacl", "-m", $"g:{group}:r", "{}", "+"], $"Giving the group {group} read of {file}");
    }

    /// <summary>Takes the entries of group <paramref name="group"/> (a name or a number) away from everything under <paramref name="paths"/> (files among them too).</summary>
    /// Walked as root over every file (the people's too): taking an entry away gives nothing to anyone.
    public void Remove(IReadOnlyList<string> paths, string group)
        => Walk(paths, ["!", "-type", "l"], "-x", $"g:{group},d:g:{group}", group, asOwner: false);

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

    void Walk(IReadOnlyList<string> roots, IReadOnlyList<string> test, string op, string spec, string group, bool asOwner = true)
    {
        var existing = roots.Where(p => transport.Kind(p) is PathKind.Directory or PathKind.File).ToList();
        if (existing.Count == 0) return;
        IReadOnlyList<string> change = op == "-x" ? AclRemoval.Words(spec) : [op, spec];
        Find(existing, [.. test, .. asOwner ? Owned : [], "-execdir", "setfacl", .. change, "{}", "+"], $"{(op == "-m" ? "Giving" : "Taking from")} the group {group} {spec} in {string.Join(", ", roots)}", asOwner);
    }

    /// <summary>find's test for what the owner owns: only that is walked as the owner.</summary>
    IReadOnlyList<string> Owned => owner is null ? [] : ["-user", owner];

    void Find(IReadOnlyList<string> roots, IReadOnlyList<string> expression, string doing, bool asOwner = true)
    {
        var spec = new CommandSpec("find", ["-P", .. roots, .. expression]) { Timeout = TimeSpan.FromMinutes(10) };
        if (asOwner && owner is not null && transport.User != owner)
            spec = ScriptUser.As(transport, UserAccount.Find(transport, owner) ?? throw ErrorCatalog.StepFailed(ErrorIds.AclFailed, $"{doing} on '@{server}'", $"its owner {owner} is not there", "Verify the site, which makes its account."), spec);
        var result = transport.Run(spec);
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.AclFailed, $"{doing} on '@{server}'", result.Summary(),
                "Run the task again: files the site's code made or removed during the walk fail it (a link swapped in is refused). If it fails again, check that the file system holds ACLs (mounted with the acl option) and that the group exists.");
    }

    [GeneratedRegex(@"^(?:default:)?group:(\d+):", RegexOptions.Multiline)] private static partial Regex NamedGroup();
}
