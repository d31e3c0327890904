using Aegir.Core.Operations.Platform;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Drift;

/// <summary>
/// A platform whose code is a git work tree, against git itself: files changed, added or deleted since its checkout
/// (git status), and, given the commit its record keeps, a checkout moved to another commit. Reads only.
/// </summary>
internal static class PlatformGit
{
    public static void Check(ITransport transport, string root, string? commit, IPlatformKind kind, DriftFindings found)
    {
        if (transport.Kind(Path.Combine(root, ".git")) != PathKind.Directory) return;
        // The code's owner is not root: git refuses a repository of another user's unless told it is safe.
        CommandSpec Git(params string[] args) => new("git", ["-c", $"safe.directory={root}", "-C", root, .. args]) { Timeout = TimeSpan.FromMinutes(5) };
        var fix = $"git -C {root} checkout -- . (or Invoke-AegirVerify {found.Target} after committing the change)";
        if (commit is not null)
        {
            var head = transport.Run(Git("rev-parse", "HEAD"));
            if (head.Succeeded && head.StandardOutput.Trim() is var at && !at.Equals(commit, StringComparison.OrdinalIgnoreCase))
                found.Add(DriftKind.PlatformFile, root, $"commit {commit}", $"commit {at}", $"git -C {root} checkout {commit}, or record the new commit");
        }
        var status = transport.Run(Git("status", "--porcelain=v1", "-z", "--untracked-files=all"));
        if (!status.Succeeded) return;   // no git there, or no work tree git can read: the checksums still tell
        var notCode = PlatformSums.NotCode(kind);
        var records = status.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (record.Length < 4) continue;
            var code = record[..2];
            var path = record[3..];
            if (code[0] is 'R' or 'C') i++;   // a rename names its old path in the next record
            if (notCode.IsMatch(path)) continue;
            found.Add(DriftKind.PlatformFile, Path.Combine(root, path), commit is null ? "as git's last commit has it" : $"as commit {commit} has it", Status(code), fix);
        }
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
