using Aegir.Core.Operations.Platform;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Drift;

/// <summary>
/// A platform whose code is a git work tree, against git itself: files changed, added or deleted since its checkout
/// (git status, and files git was told not to look at), and, given the commit its record keeps, a checkout moved to another commit. Reads only.
/// </summary>
internal static class PlatformGit
{
    public static void Check(ITransport transport, string root, string? commit, IPlatformKind kind, DriftFindings found, string owner)
    {
        if (transport.Kind(Path.Combine(root, ".git")) != PathKind.Directory) return;
        // git runs as the code's owner, never root: the repository's own config (core.fsmonitor, filter drivers) is
        // written by that account and may name programs, which git status would run.
        CommandSpec Git(params string[] args) => new("runuser", ["-u", owner, "--", "git", "-c", $"safe.directory={root}", "-c", "core.fsmonitor=false", "-C", root, .. args])
        {
            Timeout = TimeSpan.FromMinutes(5), Environment = new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["GIT_CONFIG_NOSYSTEM"] = "1" },
        };
        var fix = $"git -C {root} checkout -- . (or Invoke-AegirVerify {found.Target} after committing the change)";
        if (commit is not null)
        {
            var head = transport.Run(Git("rev-parse", "HEAD"));
            if (head.Succeeded && head.StandardOutput.Trim() is var at && !at.Equals(commit, StringComparison.OrdinalIgnoreCase))
                found.Add(DriftKind.PlatformFile, root, $"commit {commit}", $"commit {at}", $"git -C {root} checkout {commit}, or record the new commit");
        }
        foreach (var (path, what) in Changes(args => transport.Run(Git([.. args])), kind) ?? [])   // null: no work tree git can read; the checksums still tell
            found.Add(DriftKind.PlatformFile, Path.Combine(root, path), commit is null ? "as git's last commit has it" : $"as commit {commit} has it", what, fix);
    }

    /// <summary>
    /// What differs in a platform's work tree from its checkout, each path (relative) with what happened to it: files
    /// changed, deleted or added (untracked and not ignored), and files git was told to stop looking at
    /// (update-index --skip-worktree or --assume-unchanged, which hide an edit from git status); the sites' own
    /// folders and files (<see cref="PlatformSums.NotCode"/>) are no change. Null when git reads no work tree there.
    /// Shared by the drift report and verify of a platform built from git.
    /// </summary>
    /// <param name="git">Runs git in the work tree with the arguments given.</param>
    public static IReadOnlyList<(string Path, string What)>? Changes(Func<IReadOnlyList<string>, CommandResult> git, IPlatformKind kind)
    {
        var status = git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none"]);
        if (!status.Succeeded) return null;
        var notCode = PlatformSums.NotCode(kind);
        var changes = new List<(string, string)>();
        var records = status.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (record.Length < 4) continue;
            var code = record[..2];
            if (code[0] is 'R' or 'C') i++;   // a rename names its old path in the next record
            if (!notCode.IsMatch(record[3..])) changes.Add((record[3..], Status(code)));
        }
        // ls-files -v tags a skip-worktree entry 'S' and an assume-unchanged one in lowercase.
        var flagged = git(["ls-files", "-v", "-z"]);
        if (flagged.Succeeded)
            foreach (var entry in flagged.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
                if (entry.Length > 2 && (entry[0] == 'S' || char.IsAsciiLetterLower(entry[0])) && !notCode.IsMatch(entry[2..]))
                    changes.Add((entry[2..], "hidden from git status (update-index --skip-worktree or --assume-unchanged), so an edit would not show"));
        return changes;
    }

    static string Status(string code) => code.Trim() switch
    {
        "??" => "a file git does not know (added)",
        var c when c.Contains('D') => "deleted",
        var c when c.Contains('A') => "added",
        var c when c.Contains('R') => "renamed",
        _ => "changed",
    };
}
