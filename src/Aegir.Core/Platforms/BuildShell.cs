using Aegir.Core.Contexts;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// Runs the commands that build a platform from source (Debian's git and composer, the manifest's build commands) in
/// its root as the platform's owner, never as root: through <see cref="SiteShell"/>, with a private HOME (and so git's
/// global config and COMPOSER_HOME) that holds nothing of the account's own, git unable to prompt or to run a transport
/// helper, and a umask that leaves the code readable by the web server and each site's account (and writable by none).
/// Every line a command prints goes to the task's log, secrets masked.
/// </summary>
public sealed class BuildShell : IDisposable
{
    public const string Git = "/usr/bin/git";
    public const string Composer = "/usr/bin/composer";
    /// <summary>What the build's commands run in, inside the script user's own umask 007: code all may read, only its owner change.</summary>
    public const string UmaskScript = "umask 022 && exec \"$0\" \"$@\"";
    const int MaxLoggedLines = 400;
    readonly SiteShell _shell;
    readonly Tasks.TaskContext? _ctx;
    readonly string _gitConfig;

    public BuildShell(ITransport transport, AegirServer server, string owner, Tasks.TaskContext? ctx, string? trustedRepository = null)
    {
        _ctx = ctx;
        _shell = SiteShell.Open(transport, server, ctx, owner);
        // A repository of the server owned by another account is refused by git ("dubious ownership") unless its
        // global config names it; this one names only the repository being cloned.
        var trust = trustedRepository is null ? "" : $"[safe]\n\tdirectory = {trustedRepository}\n\tdirectory = {trustedRepository.TrimEnd('/')}/.git\n";
        _gitConfig = _shell.SecretFile("gitconfig", "[advice]\n\tdetachedHead = false\n" + trust);
    }

    public string Tmp => _shell.Tmp;
    public string User => _shell.User;

    /// <summary>git with <paramref name="arguments"/>, in <paramref name="folder"/>.</summary>
    public CommandResult RunGit(string folder, IReadOnlyList<string> arguments, TimeSpan timeout, bool log = true)
        => Run(Git, arguments, folder, timeout, log);

    /// <summary>Runs one command of the build in <paramref name="folder"/>, its output logged.</summary>
    public CommandResult Run(string program, IReadOnlyList<string> arguments, string folder, TimeSpan timeout, bool log = true)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GIT_CONFIG_GLOBAL"] = _gitConfig,
            ["GIT_TERMINAL_PROMPT"] = "0",
            // No ext:: or fd:: transports (they run programs); ssh never asks (an unknown host key or a passphrase fails).
            ["GIT_ALLOW_PROTOCOL"] = "file:https:ssh",
            ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes",
            ["COMPOSER_HOME"] = Path.Combine(_shell.Tmp, "composer"),
            ["COMPOSER_NO_INTERACTION"] = "1",
        };
        if (program.Contains('/') && !program.StartsWith('/')) program = Path.Combine(folder, program);
        var result = _shell.Run("/bin/sh", ["-c", UmaskScript, program, .. arguments], folder, environment, timeout);
        if (log && _ctx is not null) Log(_ctx, result);
        return result;
    }

    /// <summary>The command's output, each line in the task's log (the last <see cref="MaxLoggedLines"/> of a long one).</summary>
    static void Log(Tasks.TaskContext ctx, CommandResult result)
    {
        var lines = (result.StandardOutput + "\n" + result.StandardError).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length > MaxLoggedLines) ctx.Debug($"({lines.Length - MaxLoggedLines} earlier line(s) of output left out)");
        foreach (var line in lines.Skip(Math.Max(0, lines.Length - MaxLoggedLines))) ctx.Debug("  " + line);
        if (result.TimedOut) ctx.Warn($"The command was stopped after {result.Duration.TotalMinutes:0} minute(s).");
    }

    /// <summary>The commit the checkout at <paramref name="root"/> is at, or null when git cannot say (no repository there).</summary>
    public string? Head(string root)
    {
        var result = RunGit(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], TimeSpan.FromMinutes(1), log: false);
        return result.Succeeded && GitSource.IsCommit(result.StandardOutput.Trim()) ? result.StandardOutput.Trim() : null;
    }

    /// <summary>
    /// The files of the commit changed or deleted in the work tree (git status, untracked files left out: what a build
    /// adds, such as vendor/, and the sites' own folders are no change of the commit's code); null when git fails.
    /// </summary>
    public IReadOnlyList<string>? Changed(string root)
    {
        var result = RunGit(root, ["status", "--porcelain", "--untracked-files=no", "--ignore-submodules=none"], TimeSpan.FromMinutes(5), log: false);
        return result.Succeeded ? result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Length > 3 ? l[3..] : l).ToList() : null;
    }

    /// <summary>
    /// What a failed composer said, for the task's error: its last meaningful lines, without the usage text it prints
    /// after an error of its command line (install [--prefer-source] ...), blank lines and its box drawing.
    /// </summary>
    public static string ComposerError(CommandResult result)
    {
        var lines = (result.StandardError + "\n" + result.StandardOutput).Split('\n', StringSplitOptions.TrimEntries)
            .TakeWhile(l => !l.StartsWith("install [", StringComparison.Ordinal))
            .Where(l => l.Length > 0 && l.Trim('-', '=', ' ').Length > 0).ToList();
        return lines.Count == 0 ? "no output" : string.Join('\n', lines.TakeLast(6));
    }

    public void Dispose() => _shell.Dispose();
}
