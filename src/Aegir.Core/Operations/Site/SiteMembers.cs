using System.Formats.Tar;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// What a member of a backup archive may be once it lands in a site's folders, whoever made the archive: folders,
/// files, links that stay inside the site's own folders and hard links to files the archive put there before. Each
/// is owned as the site's folders are (the archive's owners mean nothing here) and loses setuid, setgid (on files),
/// sticky and world-write bits; in the folders the web server writes to, the web group gets the owner's rights.
/// Anything else is refused by name.
/// </summary>
internal sealed class SiteMembers(SiteParts parts, ITransport web, string archive)
{
    /// <summary>The site's own folders and files, relative to its platform's root.</summary>
    readonly IReadOnlyList<string> _roots = parts.Kind.SiteRoots(parts.Site.Uri);
    readonly List<(string Path, string Group)> _groups = parts.Folders().Select(f => (f.Dir.Path, f.Group)).OrderByDescending(f => f.Path.Length).ToList();
    readonly HashSet<string> _files = new(StringComparer.Ordinal);

    const UnixFileMode FileMask = (UnixFileMode)0b111_111_101;          // 0775
    const UnixFileMode FolderMask = (UnixFileMode)0b010_111_111_101;    // 2775

    readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    /// <summary>The owner and group of a path of the site (relative to the platform's root): those of the deepest of its folders that holds it.</summary>
    public (string User, string Group) OwnerOf(string path)
    {
        var group = _groups.FirstOrDefault(g => path == g.Path || path.StartsWith(g.Path + "/", StringComparison.Ordinal)).Group ?? parts.OwnerGroup;
        return (parts.Owner, group);
    }

    /// <summary>
    /// A header for the member as it lands at <paramref name="staged"/>: owned as <see cref="OwnerOf"/> says for
    /// <paramref name="live"/>, by name and by number (tar falls back to the number, which must never be root's by default).
    /// </summary>
    public PaxTarEntry Header(TarEntryType type, string live, string staged, UnixFileMode mode, DateTimeOffset modified)
    {
        var (user, group) = OwnerOf(live);
        mode &= type == TarEntryType.Directory ? FolderMask : FileMask;
        // In a folder the web server writes to, what it wrote (its own, 0644) comes back the script user's: the web
        // group keeps what the owner could do, or the application could no longer change its own pages and uploads.
        if (group == parts.WebGroup) mode |= (UnixFileMode)(((int)mode >> 3) & 0b111_000);
        return new PaxTarEntry(type, staged)
        {
            Mode = mode, ModificationTime = modified,
            UserName = user, GroupName = group, Uid = Id("passwd", user), Gid = Id("group", group),
        };
    }

    int Id(string database, string name)
    {
        if (_ids.TryGetValue(database + ":" + name, out var id)) return id;
        var result = web.Run(new CommandSpec("getent", [database, name]));
        var fields = result.StandardOutput.Split(':');
        if (!result.Succeeded || fields.Length < 3 || !int.TryParse(fields[2], out id))
            throw ErrorCatalog.StepFailed(ErrorIds.RestoreFailed, $"Looking up {name} on {web.Host}", $"there is no such {(database == "group" ? "group" : "user")}", "Verify the server, then run the task again.");
        return _ids[database + ":" + name] = id;
    }

    /// <summary>
    /// Refuses a member that has no place in a site's folders; <paramref name="path"/> is where it lands (relative to
    /// the platform's root, as the live site will have it) and <paramref name="link"/> its link's target, where it has one.
    /// </summary>
    public void Check(string member, TarEntryType type, string path, string? link)
    {
        if (_roots.Contains(path) && type is TarEntryType.SymbolicLink or TarEntryType.HardLink)
            throw ErrorCatalog.MemberRefused(archive, member, "it is a link where the site's own folder belongs");
        switch (type)
        {
            case TarEntryType.Directory:
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                _files.Add(path);
                return;
            case TarEntryType.SymbolicLink:
                if (Outside(path, link!) is { } why) throw ErrorCatalog.MemberRefused(archive, member, why);
                return;
            case TarEntryType.HardLink:
                if (!_files.Contains(link!))
                    throw ErrorCatalog.MemberRefused(archive, member, $"it is a hard link to {link}, which is no file the archive put in the site's folders before it");
                return;
            default:
                throw ErrorCatalog.MemberRefused(archive, member, $"it is a {Backups.BackupArchive.Describe(type)}, which a site's folders do not hold");
        }
    }

    /// <summary>
    /// Why a link at <paramref name="path"/> would lead out of the site's own folders; null when it stays inside. A
    /// target is read as the kernel would: climbing (..) only at its start, through real folders; a .. after a name
    /// (which may itself be a link) is refused rather than guessed.
    /// </summary>
    public string? Outside(string path, string target)
    {
        if (target.Length == 0) return "it is a symbolic link with no target";
        if (target.StartsWith('/')) return $"it is a symbolic link to {target}, an absolute path: links may only lead to the site's own folders, by a relative path";
        var at = path.Split('/').SkipLast(1).ToList();
        bool named = false;
        foreach (var part in target.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (named) return $"it is a symbolic link to {target}, which climbs (..) after a name: links may only lead to the site's own folders";
                if (at.Count == 0) return $"it is a symbolic link to {target}, which leads above the platform";
                at.RemoveAt(at.Count - 1);
                continue;
            }
            named = true;
            at.Add(part);
        }
        var resolved = string.Join('/', at);
        return _roots.Any(r => resolved == r || resolved.StartsWith(r + "/", StringComparison.Ordinal)) ? null
            : $"it is a symbolic link to {target}, which leads to {(resolved.Length == 0 ? "the platform's root" : resolved)}, outside the site's own folders ({string.Join(", ", _roots)})";
    }
}
