using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// Where a platform's codebase may not be: verify takes group and other write away from everything under the root,
/// so a root that is, or leads into, a system folder or the module's own home would damage the machine.
/// Roots are judged by where they lead, symlinks resolved.
/// </summary>
public static class PlatformRoots
{
    /// <summary>Folders that may not be a root themselves (their subfolders may).</summary>
    static readonly string[] NotItself = ["/", "/home", "/media", "/mnt", "/opt", "/root", "/srv", "/tmp", "/usr", "/usr/local", "/var", "/var/www"];

    /// <summary>Folders that no root may be in.</summary>
    static readonly string[] NotInside =
    [
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys",
        "/var/backups", "/var/cache", "/var/lib", "/var/lock", "/var/log", "/var/mail", "/var/run", "/var/spool",
    ];

    /// <summary>
    /// Refuses a root (<paramref name="resolved"/>: where it leads) that is a system folder, inside one, or overlaps the
    /// module's home (<paramref name="home"/>, resolved; null when not known yet) other than as a folder in its platforms folder.
    /// </summary>
    public static void Check(string root, string resolved, string? home)
    {
        var via = resolved == root ? "" : $" (it leads to {resolved})";
        if (NotItself.Contains(resolved) || Inside(resolved, "/usr") && !Inside(resolved, "/usr/local"))
            throw Refused(root, $"it is the system folder {resolved}{via}");
        if (NotInside.FirstOrDefault(f => resolved == f || Inside(resolved, f)) is { } system)
            throw Refused(root, $"it is in the system folder {system}{via}");
        if (home is null) return;   // judged before the server is known: system folders only
        // Aegir's own layout keeps platforms in the home's platforms folder: one there is no part of the home's own files.
        var platforms = home.TrimEnd('/') + "/platforms";
        if (resolved == home || Inside(home, resolved) || Inside(resolved, home) && !Inside(resolved, platforms))
            throw Refused(root, $"it overlaps the module's own home {home}{via}");
    }

    /// <summary>
    /// Refuses a root that is another platform's of the same server, or holds one, or lies inside one, judged by
    /// where each leads: verify of one would take write access from the other's site folders.
    /// </summary>
    public static void CheckApart(string root, string resolved, IEnumerable<(string Name, string Root, string Resolved)> others)
    {
        foreach (var (name, otherRoot, otherResolved) in others)
        {
            var how = otherResolved == resolved ? "is the root of" : Inside(otherResolved, resolved) ? "holds the root of" : Inside(resolved, otherResolved) ? "lies inside the root of" : null;
            if (how is null) continue;
            var via = (resolved == root ? "" : $"; it leads to {resolved}") + (otherResolved == otherRoot ? "" : $"; {otherRoot} leads to {otherResolved}");
            throw ErrorCatalog.InvalidValue("Root", root, $"it {how} the platform '@{name}' ({otherRoot}{via}), whose site folders the verify of either would change",
                "Give each platform a folder of its own, beside the others (/var/aegir/platforms/<name>), never one inside another.");
        }
    }

    static bool Inside(string path, string folder) => path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    static AegirException Refused(string root, string problem)
        => ErrorCatalog.InvalidValue("Root", root, problem,
            "Give the folder that holds only the platform's codebase, such as /var/aegir/platforms/drupal10 (verify takes write access away from everything under it).");
}
