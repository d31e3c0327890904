using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Files;

/// <summary>
/// Owners and modes from Aegir's permission table: the codebase is not writable by the web server, uploads and
/// private folders belong to the web group with setgid (chown before chmod, since chown clears setgid), settings
/// files are 0440 owner:web group. Nothing here follows a symlink: a link where a folder belongs is refused.
/// </summary>
public sealed class FileService(ITransport transport)
{
    /// <summary>
    /// Creates (with its missing parents) or fixes a folder below <paramref name="root"/>, refusing a symlink or a
    /// file anywhere between the root and it. True when the folder itself was created.
    /// </summary>
    public bool EnsureDirectory(string root, string relative, UnixFileMode mode, string owner, string group)
    {
        var path = Path.Combine(root, relative);
        try { return transport.EnsureDirectory(root, relative, mode, owner, group); }
        catch (IO.SafePath.BlockedException ex) when (ex.IsLink)
        {
            throw ErrorCatalog.StepFailed(ErrorIds.PathBlocked, $"Setting up {path}", $"{ex.At} is a symlink where a folder belongs, and links are never followed",
                "Replace the link with a real folder (move its content in), then run the task again.");
        }
        catch (IO.SafePath.BlockedException ex)
        {
            throw ErrorCatalog.StepFailed(ErrorIds.PathBlocked, $"Setting up {path}", $"{ex.At} is a file where a folder belongs", "Move the file away, then run the task again.");
        }
    }

    /// <summary>The topmost folder that creating <paramref name="path"/> would create (what its undo deletes); null when it exists.</summary>
    public string? FirstMissing(string path)
    {
        string? missing = null;
        for (var p = path; !string.IsNullOrEmpty(p) && p != "/" && transport.Kind(p) == PathKind.None; p = Path.GetDirectoryName(p))
            missing = p;
        return missing;
    }

    public void WriteFile(string path, string content, UnixFileMode mode, string owner, string group)
        => transport.WriteFile(path, System.Text.Encoding.UTF8.GetBytes(content), mode, owner, group);

    /// <summary>
    /// Gives <paramref name="owner"/> what root owns below a site's own paths (left there by commands that ran as
    /// root): each changed from its own folder as find walks it, so no link, at the end or on the way, is followed.
    /// </summary>
    public void TakeFromRoot(string root, IReadOnlyList<string> paths, string owner, IReadOnlyList<string>? alsoFrom = null)
    {
        var existing = paths.Select(p => Path.Combine(root, p)).Where(p => transport.Kind(p) is PathKind.Directory or PathKind.File).ToList();
        if (existing.Count == 0) return;
        // A site moved into an account of its own takes over what its former owners (the script user, PHP as the web server) made.
        List<string> users = ["-user", "0"];
        foreach (var user in alsoFrom ?? []) users.AddRange(["-o", "-user", user]);
        if (users.Count > 2) users = ["(", .. users, ")"];
        var result = transport.Run(new CommandSpec("find", ["-P", .. existing, .. users, "-execdir", "chown", "--no-dereference", owner, "{}", "+"]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.PermissionsFailed, $"Giving {owner} what {string.Join(", ", ["root", .. alsoFrom ?? []])} own in {string.Join(", ", paths)}", result.Summary(), "Check the folders' owners by hand.");
    }

    /// <summary>What is in <paramref name="fromGroups"/> in a site's own paths becomes <paramref name="group"/>'s (a site moved to another account); links are neither changed nor followed.</summary>
    public void TakeGroup(string root, IReadOnlyList<string> paths, string group, IReadOnlyList<string> fromGroups)
    {
        var existing = paths.Select(p => Path.Combine(root, p)).Where(p => transport.Kind(p) is PathKind.Directory or PathKind.File).ToList();
        if (existing.Count == 0 || fromGroups.Count == 0) return;
        var groups = fromGroups.SelectMany((g, i) => i == 0 ? new[] { "-group", g } : ["-o", "-group", g]).ToList();
        var result = transport.Run(new CommandSpec("find", ["-P", .. existing, "(", .. groups, ")", "-execdir", "chgrp", "--no-dereference", group, "{}", "+"]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.PermissionsFailed, $"Giving the group {group} what {string.Join(", ", fromGroups)} have in {string.Join(", ", paths)}", result.Summary(), "Check the folders' groups by hand.");
    }

    /// <summary>
    /// Lets the web server write everywhere in a site's writable folders, as it must (Drupal makes its image styles
    /// and aggregates there): whatever is not in <paramref name="group"/> (left by an installer run as root or as
    /// another user) gets it, folders get group rwx and setgid, files their owner may write group rw (one made read-only, as Drupal's .htaccess, stays so). Each is changed from its own folder
    /// as find walks it, and links are neither changed nor followed.
    /// </summary>
    public void OpenToWebGroup(string root, IReadOnlyList<string> paths, string group)
    {
        var existing = paths.Select(p => Path.Combine(root, p)).Where(p => transport.Kind(p) == PathKind.Directory).ToList();
        if (existing.Count == 0) return;
        string[][] passes =
        [
            ["!", "-type", "l", "!", "-group", group, "-execdir", "chgrp", "--no-dereference", group, "{}", "+"],
            ["-type", "d", "!", "-perm", "-2070", "-execdir", "chmod", "g+rwxs", "{}", "+"],
            ["-type", "f", "-perm", "-200", "!", "-perm", "-060", "-execdir", "chmod", "g+rw", "{}", "+"],
        ];
        foreach (var pass in passes)
        {
            var result = transport.Run(new CommandSpec("find", ["-P", .. existing, .. pass]) { Timeout = TimeSpan.FromMinutes(10) });
            if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.PermissionsFailed, $"Giving the web group {group} write access in {string.Join(", ", paths)}", result.Summary(), "Check the folders' owners by hand.");
        }
    }

    /// <summary>Takes group and other write away from the codebase, leaving the web server's own folders alone; links are not followed.</summary>
    public void ProtectCodebase(string root, IReadOnlyList<string> writable) => Writable(root, writable, ["-execdir", "chmod", "go-w", "{}", "+"], "Protecting the codebase");

    /// <summary>The files <see cref="ProtectCodebase"/> would change, with their modes now, as its undo puts them back (octal mode, space, path, each ended by a NUL: a name may hold a newline).</summary>
    public byte[] UnprotectedModes(string root, IReadOnlyList<string> writable)
        => System.Text.Encoding.UTF8.GetBytes(Writable(root, writable, ["-printf", "%m %p\\0"], "Reading the modes of the codebase"));

    /// <summary>Puts back modes <see cref="UnprotectedModes"/> read, on files and folders under <paramref name="root"/> only, never through a link.</summary>
    public void RestoreModes(string root, byte[] saved)
    {
        foreach (var line in System.Text.Encoding.UTF8.GetString(saved).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ');
            if (space <= 0) continue;
            var path = line[(space + 1)..];
            if (!path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal) && path != root) continue;
            if (transport.Kind(path) is not (PathKind.File or PathKind.Directory)) continue;
            transport.SetMode(path, (UnixFileMode)Convert.ToInt32(line[..space], 8));
        }
    }

    /// <summary>
    /// Takes the setuid and setgid bits off every file under <paramref name="root"/> (on its file system, never through
    /// a link): one left in a platform's code (a build's copy of a program, chmod 4755) would run as its owner, the
    /// script user, for any site's PHP. Folders keep theirs (setgid shared folders). The files it changed.
    /// </summary>
    public IReadOnlyList<string> StripSetId(string root)
    {
        var result = transport.Run(new CommandSpec("find", ["-P", root, "-xdev", "-type", "f", "(", "-perm", "-4000", "-o", "-perm", "-2000", ")", "-printf", "%p\\0", "-execdir", "chmod", "ug-s", "{}", "+"])
            { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.PermissionsFailed, $"Taking setuid and setgid bits off the files of {root}", result.Summary(), "Check the owner of the files.");
        return result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>find over the codebase's files and folders that group or others may write, outside its writable paths, with <paramref name="action"/>; its output.</summary>
    string Writable(string root, IReadOnlyList<string> writable, IReadOnlyList<string> action, string doing)
    {
        var args = new List<string> { "-P", root };
        if (writable.Count > 0)
        {
            args.Add("(");
            for (int i = 0; i < writable.Count; i++)
            {
                if (i > 0) args.Add("-o");
                args.AddRange(["-path", Path.Combine(root, writable[i])]);
            }
            args.AddRange([")", "-prune", "-o"]);
        }
        // -execdir: chmod acts from the matched file's own folder (held by find), so a folder swapped for a link
        // meanwhile (a site's command owns its sites/<uri>) never leads it to a file outside the codebase.
        args.AddRange(["!", "-type", "l", "-perm", "/022", .. action]);
        var result = transport.Run(new CommandSpec("find", args) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.PermissionsFailed, $"{doing} at {root}", result.Summary(), "Check the owner of the files.");
        return result.StandardOutput;
    }
}
