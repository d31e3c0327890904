using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Php;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// A platform built from source (New-AegirPlatform -Git -Ref): its root made on the web server, the repository cloned
/// there and the ref checked out detached (a branch resolved to its commit once, now), recorded with that commit, then
/// composer install from the commit's lock and the manifest's build commands, all as an account made for this build
/// alone (never root, nor the script user, which owns every other platform's code): it owns the new root and nothing
/// else, and is deleted (with whatever it left running) when the build ends. The root is then the script user's, as
/// every platform's code is, without setuid or setgid bits, and the codebase verified as any other. The root's undo is journaled before it is made, so a build that
/// fails or is killed at any point leaves no folder and no record. A build adds files (vendor/); it may not change the
/// commit's own, so the recorded commit is what the platform's code is, which every later verify checks.
/// </summary>
internal static class PlatformBuild
{
    static readonly TimeSpan CloneTimeout = TimeSpan.FromMinutes(30);
    static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    public static void Plan(VerifyPlatform verify, PlatformDefinition definition, OperationPlan plan, OperationEnvironment env)
    {
        var platform = definition.ToPlatform();
        env.Store.Check(platform, isNew: true);
        var (url, wanted, root) = (platform.Git!, platform.Ref ?? throw GitSource.MovingTarget(platform.Git!), platform.Root);
        if (platform.Source is not null)
            throw ErrorCatalog.InvalidValue("Source", platform.Source, "a platform is either pushed from a folder of this machine or built from git on its web server", "Give one of -Source and -Git.");
        var server = env.Server(platform.WebServerName, "WebServer");
        if (server.IsCluster)
            throw ErrorCatalog.InvalidValue("WebServer", server.Name, "it is a cluster, whose members would each build their own copy (and might resolve a branch to different commits)",
                "Build the platform on this machine (a folder checked out at the commit, then composer install) and push it to the cluster with -Source.");
        var transport = env.Connect(server);
        CheckRoot(platform, server, transport);
        VerifyPlatform.CheckPlace(env, platform, server, transport);
        var owner = env.Owner(server);
        if (transport.User != "root")
            throw ErrorCatalog.InvalidValue("WebServer", server.Name, $"the module reaches it as {transport.User}, not root, and a build runs as an account made for it alone (owning only the new root, so a repository's commands can change no other platform's code)",
                "Connect to the web server as root, or build the platform elsewhere and push it with -Source.");
        VerifyPlatform.CheckVerified(plan, env, platform, [server]);
        var builder = PhpAccount.ForBuild(platform.Name, env.Home);

        string? commit = null;
        plan.Add(server.Name, PlanAction.Write, $"make {root} on @{server.Name} for the clone, and the account {builder.Name} made for the rest of the build alone (deleted when the build ends; the root too if it fails)", ctx =>
        {
            // One left by a killed build that no repair removed yet is deleted first (with what it still runs), then made anew.
            ctx.Step($"Making the account {builder.Name} of {builder.Of}, which owns nothing but the new root", () =>
            {
                SiteAccount.Remove(transport, builder, null, ctx.Info);
                SiteAccount.Ensure(transport, builder);
            }, JournalActions.DeleteBuildAccount(server.Name, builder.Name, platform.Name));
            // An empty folder there (an admin's, perhaps with an ACL) is kept: the build fills it, and one that fails
            // empties it again and puts its owner and mode back.
            if (transport.Kind(root) == PathKind.Directory)
            {
                var (user, group) = transport.OwnerOf(root) ?? throw ErrorCatalog.InvalidValue("Root", root, "its owner cannot be read", "Give a new or empty folder for the platform's root.");
                var mode = transport.GetMode(root);
                ctx.Step($"Noting {user}:{group} {Convert.ToString((int)mode, 8)} on the empty folder {root}", () => { }, JournalActions.RestoreAttributes(server.Name, root, user, group, mode));
                ctx.Step($"Taking over the empty folder {root}, {owner}'s for the clone", () =>
                {
                    if (transport.List(root).Count > 0) throw ErrorCatalog.InvalidValue("Root", root, "it is no longer empty", "Give a new or empty folder for the platform's root.");
                    transport.SetOwner(root, owner, transport.PrimaryGroup(owner));
                }, JournalActions.EmptyFolder(server.Name, root));
                return;
            }
            ctx.Step($"Making {root} on '@{server.Name}' for the clone, {owner}'s", () =>
            {
                transport.CreateDirectory(root, Services.Files.Modes.Dir755);
                transport.SetOwner(root, owner, transport.PrimaryGroup(owner));
            }, JournalActions.DeletePath(server.Name, root));
        });
        plan.Add(server.Name, PlanAction.Write, $"clone {url} into {root} as {owner} (objects only: none of its code runs), give it to {builder.Name} and check out {wanted} detached (a branch resolved to its commit now)", ctx =>
        {
            commit = ctx.Step($"Cloning {url} into {root} as {owner}", () =>
            {
                // The clone alone runs as the script user, whose ssh key and known_hosts reach the repository: without a
                // checkout git writes only .git/ and runs nothing of the repository's. All that follows is the build account's.
                var local = GitSource.LocalPath(url);
                var trusted = local is null ? null : transport.ResolvePath(local);
                using (var fetch = new BuildShell(transport, server, owner, ctx, trusted))
                    Must(fetch.RunGit(root, ["clone", "--no-checkout", "--no-local", "--", url, root], CloneTimeout), $"Cloning {url}",
                    $"Check the url, and that {owner} on '@{server.Name}' can read the repository (for ssh: its key and the host in its known_hosts; for https: a credential helper in /etc/gitconfig), then create the platform again.");
                GiveTo(transport, root, builder.Name, builder.Name);
                using var shell = new BuildShell(transport, server, builder.Name, ctx, trusted);
                var (found, what) = Resolve(shell, root, wanted) ?? throw ErrorCatalog.StepFailed(ErrorIds.PlatformBuildFailed, $"Checking out {wanted}",
                    $"{url} has no tag, branch or commit named {wanted}", $"List what it has (git ls-remote {url}), then create the platform again with one of them as -Ref.");
                if (what == "tag" && shell.RunGit(root, ["rev-parse", "--verify", "--quiet", $"refs/remotes/origin/{wanted}^{{commit}}"], TimeSpan.FromMinutes(1), log: false).Succeeded)
                    ctx.Warn($"{url} has both a tag and a branch named {wanted}: the tag was taken (commit {found}). To build the branch, give its commit as -Ref.");
                if (what == "branch")
                    ctx.Warn($"{wanted} is a branch, which moves: it is resolved to its commit {found} now, and the platform stays at that commit (build a new platform for a later one). A tag names a release for good.");
                else ctx.Info(what == "tag" ? $"The tag {wanted} is commit {found}." : $"{wanted} is the commit {found}.");
                Must(shell.RunGit(root, ["checkout", "--quiet", "--detach", found], CloneTimeout), $"Checking out {found}", "Check the repository (git fsck), then create the platform again.");
                if (transport.Kind(Path.Combine(root, ".gitmodules")) == PathKind.File)
                    ctx.Warn($"The commit {found} has submodules (.gitmodules), which are not fetched: their folders stay empty. Require that code with composer, or commit it into the repository.");
                return found;
            });
        });
        plan.Add(platform.Name, PlanAction.Record, $"record the platform @{platform.Name} at {root} on @{server.Name}, built from {url} at {wanted} (the commit it resolves to)", ctx =>
        {
            var record = definition.ToPlatform();
            record.Commit = commit;
            ctx.Step($"Recording the platform @{record.Name} at commit {commit}", () => env.Store.Create(record), JournalActions.RemoveContext(record.Name));
        });
        if (definition.Composer)
            plan.Add(server.Name, PlanAction.Write, $"run composer install --no-dev in {root} as {builder.Name}, from the commit's composer.lock", ctx => ctx.Step($"Running composer install in {root} as {builder.Name}", () =>
            {
                const string step = "Running composer install";
                if (transport.Kind(Path.Combine(root, "composer.lock")) != PathKind.File)
                    throw ErrorCatalog.StepFailed(ErrorIds.PlatformBuildFailed, step, $"the commit {commit} holds no composer.lock, without which composer would choose the packages' versions now (a moving target)",
                        "Run composer update once where the application is developed, commit composer.lock, and build from that commit.");
                if (transport.Kind(BuildShell.Composer) != PathKind.File)
                    throw ErrorCatalog.StepFailed(ErrorIds.PlatformBuildFailed, step, $"Debian's composer is not installed on '@{server.Name}' ({BuildShell.Composer} is not there)",
                        $"Install it there (apt-get install composer), then create the platform again.");
                using var shell = new BuildShell(transport, server, builder.Name, ctx);
                var result = shell.Run(BuildShell.Composer, ["install", "--no-dev", "--no-interaction", "--no-progress"], root, BuildTimeout);
                if (!result.Succeeded && !result.TimedOut)
                    throw ErrorCatalog.StepFailed(ErrorIds.PlatformBuildFailed, step, $"it failed (exit {result.ExitCode}): {BuildShell.ComposerError(result)}",
                        "Fix the cause (composer's whole output is in the task's log), then create the platform again.");
                Must(result, step, "Fix the cause (composer's output is in the task's log), then create the platform again.");
            }));
        plan.Add(server.Name, PlanAction.Write, $"run the build commands of {AppManifest.FileName} (build) in {root} as {builder.Name}", ctx =>
        {
            var manifest = AppManifest.Load(transport, root);
            if (manifest.Build.Count == 0)
            {
                ctx.Debug($"{AppManifest.FileName} names no build commands.");
                return;
            }
            using var shell = new BuildShell(transport, server, builder.Name, ctx);
            var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["root"] = root, ["tmp"] = shell.Tmp };
            foreach (var (command, n) in manifest.Build.Select((c, i) => (c, i + 1)))
            {
                var words = command.Select(w => AppManifest.Fill(w, values)).ToList();
                var shown = new CommandSpec(words[0], words.Skip(1).ToList()).ToString();
                ctx.Step($"Running build command {n} of {manifest.Build.Count}: {shown}", () => Must(shell.Run(words[0], words.Skip(1).ToList(), root, BuildTimeout),
                    $"Running the build command {shown}", $"Fix the cause (its output is in the task's log), or the 'build' commands in {manifest.File}, then create the platform again."));
            }
        });
        plan.Add(server.Name, PlanAction.Write, $"delete the account {builder.Name} (ending what it still runs), give {root} to {owner} as every platform's code is, and take setuid and setgid bits off its files", ctx =>
        {
            ctx.Step($"Deleting the account {builder.Name} of {builder.Of}", () => SiteAccount.Remove(transport, builder, null, ctx.Info));
            ctx.Step($"Giving {root} to {owner}", () => GiveTo(transport, root, owner, transport.PrimaryGroup(owner)));
            VerifyPlatform.StripSetId(ctx, transport, root, server.Name);
        });
        plan.Add(server.Name, PlanAction.Check, $"check that {root} is still the commit built, none of its files changed by the build (what it added, as vendor/, stays)", ctx =>
            ctx.Step($"Checking that {root} is still commit {commit}", () =>
            {
                using var shell = new BuildShell(transport, server, owner, ctx);
                var head = shell.Head(root);
                if (head != commit)
                    throw ErrorCatalog.StepFailed(ErrorIds.PlatformBuildFailed, "Checking the built code", $"the checkout is at {head ?? "no commit"} after the build, not {commit}",
                        "Make the build leave git's HEAD alone, then create the platform again.");
                var changed = shell.Changed(root);
                if (changed is not { Count: 0 })
                    throw ErrorCatalog.StepFailed(ErrorIds.PlatformBuildFailed, "Checking the built code", changed is null ? "git status failed"
                        : $"the build changed {changed.Count} file(s) of the commit: {Few(changed)}, so the code would not be the commit recorded",
                        "Make the build write only files the commit does not hold (vendor/, compiled assets, ignored in .gitignore), or commit what it changes; then create the platform again.");
            }));
        plan.Add(platform.Name, PlanAction.Check, $"verify the built codebase: its kind and version, write access taken from the web server, its web server include written (tested, reloaded)", ctx =>
        {
            // Only now is there code to find its kind in: the verify's own plan is made here, and run as this task's steps.
            var steps = new OperationPlan(plan.Operation, plan.Target);
            verify.Plan(new VerifyPlatform.Parameters(platform.Name), steps, env);
            ctx.Debug($"Verify: {string.Join("; ", steps.Steps.Select(s => s.Description))}.");
            foreach (var step in steps.Steps)
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                step.Run!(ctx);
            }
        });
    }

    /// <summary>
    /// Verify of a platform built from git: warns when its checkout is no longer the commit it was built from, or when
    /// files of that commit were changed, added or hidden from git by hand (<see cref="Drift.PlatformGit.Changes"/>, which the drift report uses too).
    /// </summary>
    public static void CheckCheckout(OperationPlan plan, OperationEnvironment env, AegirPlatform platform, AegirServer server, IPlatformKind kind)
    {
        if (platform.Git is null || platform.Commit is not { } commit) return;
        var root = platform.Root;
        plan.Add(server.Name, PlanAction.Check, $"check that {root} is still commit {commit[..12]} of {platform.Git}, none of its files changed", ctx => ctx.Step($"Checking that {root} is still commit {commit}", () =>
        {
            using var shell = new BuildShell(env.Connect(server), server, env.Owner(server), ctx);
            var head = shell.Head(root);
            var rebuild = $"Build a new platform from the ref you want (New-AegirPlatform -Git {platform.Git} -Ref <ref>) and move the sites to it (Move-AegirSite -Platform)";
            if (head is null)
                ctx.Warn($"{root} on '@{server.Name}' is no git checkout any more (git reads no HEAD there), though @{platform.Name} was built from {platform.Git} at {commit}. {rebuild}.");
            else if (head != commit)
                ctx.Warn($"{root} on '@{server.Name}' is at commit {head}, not {commit} ({platform.Ref}) that @{platform.Name} was built from: other code was checked out by hand. "
                    + $"Check out {commit} again (as {shell.User}: git -C {root} checkout --detach {commit}), or: {rebuild}.");
            var changes = head is null ? null : Drift.PlatformGit.Changes(args => shell.RunGit(root, args, TimeSpan.FromMinutes(5), log: false), kind);
            if (changes is { Count: > 0 })
                ctx.Warn($"{changes.Count} file(s) of commit {head} were changed, added or hidden from git in {root} on '@{server.Name}' since it was built: {Few(changes.Select(c => $"{c.Path} ({c.What})").ToList())}. "
                    + $"Put them back (as {shell.User}: git -C {root} checkout -- . ; git -C {root} clean -n lists what was added; git -C {root} update-index --no-skip-worktree --no-assume-unchanged <file>), or commit the change to {platform.Git} and: {rebuild}.");
        }));
    }

    /// <summary>A new platform's root: in a folder that is there, and itself new or an empty folder (a build starts on nothing).</summary>
    static void CheckRoot(AegirPlatform platform, AegirServer server, ITransport transport)
    {
        var parent = Path.GetDirectoryName(platform.Root)!;
        if (!transport.DirectoryExists(parent))
            throw ErrorCatalog.InvalidValue("Root", platform.Root, $"there is no folder {parent} on '@{server.Name}' to make it in", $"Make {parent} there (or give a root in a folder that is there), then create the platform.");
        var kind = transport.Kind(platform.Root);
        if (kind is not (PathKind.None or PathKind.Directory) || kind == PathKind.Directory && transport.List(platform.Root).Count > 0)
            throw ErrorCatalog.InvalidValue("Root", platform.Root, $"it is there on '@{server.Name}' already{(kind == PathKind.Directory ? ", holding files" : "")}, and a build from git starts on nothing",
                "Give a new (or empty) folder for the platform, or record the code that is there as a platform without -Git.");
    }

    /// <summary>What <paramref name="wanted"/> names in the clone: a tag first, then a branch of origin, then a commit id; null when none.</summary>
    static (string Commit, string What)? Resolve(BuildShell shell, string root, string wanted)
    {
        foreach (var (revision, what) in new[] { ($"refs/tags/{wanted}", "tag"), ($"refs/remotes/origin/{wanted}", "branch") }
                     .Concat(GitSource.MayBeCommit(wanted) ? [(wanted, "commit")] : []))
        {
            var result = shell.RunGit(root, ["rev-parse", "--verify", "--quiet", revision + "^{commit}"], TimeSpan.FromMinutes(1), log: false);
            if (result.Succeeded && result.StandardOutput.Trim() is var id && GitSource.IsCommit(id)) return (id, what);
        }
        return null;
    }

    /// <summary>chown -R by root, never through a link (which also clears setuid and setgid bits).</summary>
    static void GiveTo(ITransport transport, string root, string owner, string group)
        => Must(transport.Run(new CommandSpec("chown", ["-R", "--no-dereference", $"{owner}:{group}", "--", root]) { Timeout = BuildTimeout }),
            $"Giving {root} to {owner}", "Check the file system of the root (df, dmesg), then create the platform again.");

    static CommandResult Must(CommandResult result, string step, string fix)
        => result.Succeeded ? result : throw ErrorCatalog.StepFailed(ErrorIds.PlatformBuildFailed, step,
            result.TimedOut ? $"it was stopped after {result.Duration.TotalMinutes:0} minute(s)" : $"it failed (exit {result.ExitCode}): {result.Summary()}", fix);

    static string Few(IReadOnlyList<string> paths) => string.Join(", ", paths.Take(10)) + (paths.Count > 10 ? ", ..." : "");
}
