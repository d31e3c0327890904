using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// Verifies a platform: finds its kind and version, writes what the kind needs (WordPress's shared wp-config.php),
/// takes write access to the code away from the web server, writes the platform's web server include (tested,
/// reloaded), and counts its packages. With <see cref="Parameters.Create"/> the platform's record is made first, in
/// the same task, so a codebase that fails its verify leaves no record behind.
/// </summary>
public sealed class VerifyPlatform : Operation<VerifyPlatform.Parameters>
{
    /// <param name="Create">The platform to record first (New-AegirPlatform); null to verify a recorded one.</param>
    public sealed record Parameters(string Platform, PlatformDefinition? Create = null);

    public override string Type => "verify";
    public override ContextType TargetType => ContextType.Platform;
    public override string TargetOf(Parameters p) => p.Platform;
    public override IReadOnlyList<string> WebServersOf(Parameters p, ContextStore store)
        => [p.Create is { } create ? create.ToPlatform().WebServerName : store.GetFresh<AegirPlatform>(p.Platform, "Name").WebServerName];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        if (p.Create is { Git: not null } build)
        {
            PlatformBuild.Plan(this, build, plan, env);
            return;
        }
        var platform = p.Create?.ToPlatform() ?? env.Store.GetFresh<AegirPlatform>(p.Platform, "Name");
        if (p.Create is not null) env.Store.Check(platform, isNew: true);
        // A cluster's platform is on every member: each is checked, pushed to and given the include on its own.
        var hosting = env.Server(platform.WebServerName, "WebServer");
        var members = env.Members(hosting);
        if (p.Create is not null)
        {
            foreach (var member in members) CheckRoot(platform, member, env.Connect(member));
            var record = platform;
            plan.Add(platform.Name, PlanAction.Record, $"record the platform @{platform.Name} at {platform.Root} on @{hosting.Name}",
                ctx => ctx.Step($"Recording the platform @{record.Name}", () => env.Store.Create(record), Tasks.JournalActions.RemoveContext(record.Name)));
        }
        CheckVerified(plan, env, platform, members);
        if (p.Create is null && hosting.IsCluster && platform.Source is null)
            foreach (var member in members.Where(m => !env.Connect(m).DirectoryExists(platform.Root)))
                throw ErrorCatalog.ClusterCodebaseMissing(platform.Name, platform.Root, member.Name);
        var found = members.Select(member => Find(plan, env, platform, member)).ToList();
        var (kind, version) = found[0];
        if (platform.Kind != kind.Name || platform.Version != version)
            Site.SiteSteps.Record<AegirPlatform>(plan, env, platform.Name, $"record @{platform.Name} as {kind.Name} {version}".TrimEnd(),
                $"Recording the platform as {kind.Name} {version}".TrimEnd(), pl => { pl.Kind = kind.Name; pl.Version = version; });
        foreach (var member in members) Prepare(plan, env, platform, member, kind);
        PlatformBuild.CheckCheckout(plan, env, platform, hosting, kind);
        if (hosting.IsCluster && platform.Source is null) PlatformCode.Compare(plan, env, platform, members, kind);
        var first = env.Connect(members[0]);
        plan.Add(hosting.Name, PlanAction.Check, $"count the packages of @{platform.Name}", ctx =>
        {
            var packages = kind.ScanPackages(first, platform.Root, platform.Name);
            ctx.Info($"Found {packages.Count} package(s): {string.Join(", ", packages.GroupBy(x => x.Type).Select(g => $"{g.Count()} {g.Key}"))}.");
            // What Test-AegirPlatform compares the code and packages with later: kept last, so only a verify that passed sets it.
            var baseline = new PlatformBaseline(env.Home);
            var sums = ctx.Step($"Keeping the checksums of the code of @{platform.Name} for drift reports ({baseline.SumsPath(platform.Name)})", () => PlatformSums.Compute(first, platform.Root, kind));
            baseline.Save(platform.Name, sums, packages);
        });
    }

    /// <summary>The codebase on one server: where its root leads, pushed there when it is kept here, its kind found and readable by the script user.</summary>
    static (IPlatformKind Kind, string? Version) Find(OperationPlan plan, OperationEnvironment env, AegirPlatform platform, Contexts.AegirServer server)
    {
        var transport = env.Connect(server);
        // Checked again where the code is: a root that has become a link to a system folder is never touched.
        CheckPlace(env, platform, server, transport);
        var owner = env.Owner(server);
        // Code kept on this machine is known from here, and pushed to the server before anything reads it there.
        bool pushed = platform.Source is not null && !Contexts.ThisMachine.Is(server);
        using var local = pushed ? new Transport.LocalTransport() : null;
        var (codeAt, code) = pushed ? (local!, platform.Source!) : (transport, platform.Root);
        var (kind, version) = PlatformKinds.Detect(codeAt, code, server, platform.ChosenKind);
        (kind as PhpKind)?.CheckNamedFiles(codeAt, code);
        if (pushed) PlatformPush.Plan(plan, env, platform, server, kind);
        plan.Add(server.Name, PlanAction.Check, $"find the codebase at {platform.Root} on @{server.Name}: {kind.Name}{(version is null ? "" : " " + version)}",
            ctx => ctx.Step($"Finding the codebase at {platform.Root} on '@{server.Name}'", () => ctx.Info($"The codebase on '@{server.Name}' is {kind.Name}{(version is null ? "" : " " + version)}.")));
        var front = kind.WebRoot is { } web ? Path.Combine(platform.Root, web, kind.FrontController) : Path.Combine(platform.Root, kind.FrontController);
        plan.Add(server.Name, PlanAction.Check, $"check that the script user {owner} can read {front}", ctx => ctx.Step($"Checking that {owner} can read the codebase", () =>
        {
            using var shell = SiteShell.Open(transport, server, ctx);
            if (!shell.Run("test", ["-r", front], platform.Root, new Dictionary<string, string>(), TimeSpan.FromSeconds(30)).Succeeded)
                throw Errors.ErrorCatalog.StepFailed(ErrorIds.CodebaseUnreadable, $"Checking that {owner} can read the codebase", $"{front} cannot be read by {owner}, who runs the sites' commands",
                    $"Make the codebase readable to {owner} (chmod -R o+rX {platform.Root}, and o+x on each folder above it), then verify the platform again.");
        }));
        return (kind, version);
    }

    /// <summary>A server recorded with its host key but never verified has no config folders: nothing of the code is touched before it is.</summary>
    internal static void CheckVerified(OperationPlan plan, OperationEnvironment env, AegirPlatform platform, IReadOnlyList<AegirServer> members)
    {
        foreach (var member in members)
        {
            var folder = Path.GetDirectoryName(env.Http(member).PlatformConfigPath(platform.Name))!;
            plan.Add(member.Name, PlanAction.Check, $"check that @{member.Name} has been verified ({folder} is there)", ctx => ctx.Step($"Checking that '@{member.Name}' has been verified", () =>
            {
                if (env.Connect(member).Kind(folder) != PathKind.Directory) throw ErrorCatalog.ServerNotVerified($"Verifying the platform @{platform.Name}", member.Name, folder);
            }));
        }
    }

    /// <summary>Where the root leads on a server, judged (symlinks resolved): no system folder, not the module's home, apart from the other platforms there.</summary>
    internal static void CheckPlace(OperationEnvironment env, AegirPlatform platform, AegirServer server, ITransport transport)
    {
        var resolved = transport.ResolvePath(platform.Root);
        PlatformRoots.Check(platform.Root, resolved, transport.ResolvePath(env.HomeOn(server)));
        PlatformRoots.CheckApart(platform.Root, resolved, env.Store.List(ContextType.Platform).Contexts.Cast<AegirPlatform>()
            .Where(other => other.Name != platform.Name && (other.WebServerName == platform.WebServerName || other.WebServerName == server.Name))
            .Select(other => (other.Name, other.Root, transport.ResolvePath(other.Root))));
    }

    /// <summary>What the kind needs on one server: its shared folders and settings, the code kept from the web server, the platform's include (tested, reloaded).</summary>
    static void Prepare(OperationPlan plan, OperationEnvironment env, AegirPlatform platform, Contexts.AegirServer server, IPlatformKind kind)
    {
        var http = env.Http(server);
        var transport = env.Connect(server);
        var owner = env.Owner(server);
        foreach (var shared in kind.SharedFolders)
            plan.Add(server.Name, PlanAction.Set, $"set {shared} to {Modes.Octal(Modes.Dir2770)} {owner}:{http.WebGroup} in {platform.Root} (shared by its sites)", ctx =>
            {
                var files = new FileService(transport);
                var created = files.FirstMissing(Path.Combine(platform.Root, shared));
                ctx.Step($"Setting {shared} to {Modes.Octal(Modes.Dir2770)} {owner}:{http.WebGroup}", () => files.EnsureDirectory(platform.Root, shared, Modes.Dir2770, owner, http.WebGroup),
                    created is null ? null : Tasks.JournalActions.DeletePath(server.Name, created));
            });
        if (kind.PlatformSettingsPath is { } settings)
            plan.Add(server.Name, PlanAction.Write, $"write {settings} {Modes.Octal(Modes.File0440)} {owner}:{http.WebGroup} in {platform.Root} (no credentials)",
                ctx => kind.PreparePlatform(new PlatformJob
                {
                    Ctx = ctx, Platform = platform, Server = server, Transport = transport, Templates = env.Templates, Owner = owner, WebGroup = http.WebGroup,
                }));
        plan.Add(server.Name, PlanAction.Set, $"take setuid and setgid bits off the files of {platform.Root}", ctx => StripSetId(ctx, transport, platform.Root, server.Name));
        plan.Add(server.Name, PlanAction.Set, $"take group and other write away from {platform.Root}" + (kind.WritablePaths.Count > 0 ? $", except {string.Join(", ", kind.WritablePaths)}" : ""),
            ctx =>
            {
                // What it changes is read first, so a task that fails later (or is killed) puts those modes back.
                var files = new FileService(transport);
                var before = files.UnprotectedModes(platform.Root, kind.WritablePaths);
                ctx.Step("Taking write access to the codebase away from the web server", () => { if (before.Length > 0) files.ProtectCodebase(platform.Root, kind.WritablePaths); },
                    before.Length == 0 ? null : Tasks.JournalActions.RestoreModes(server.Name, platform.Root, ctx.SaveData(before)));
            });
        plan.Add(server.Name, PlanAction.Write, $"write {http.PlatformConfigPath(platform.Name)} and test the {http.Type} config of @{server.Name}", ctx =>
        {
            var recorded = env.Store.GetFresh<AegirPlatform>(platform.Name, "Name");
            http.WritePlatform(ctx, recorded);
        });
        Site.SiteSteps.Reload(plan, env, server, http);
    }

    /// <summary>Takes setuid and setgid bits off the platform's files, with a warning naming those that had them.</summary>
    internal static void StripSetId(Tasks.TaskContext ctx, Transport.ITransport transport, string root, string server) => ctx.Step($"Taking setuid and setgid bits off the files of {root}", () =>
    {
        var files = new FileService(transport).StripSetId(root);
        if (files.Count > 0)
            ctx.Warn($"{files.Count} file(s) of {root} on '@{server}' were setuid or setgid, so any site's PHP could run them as their owner; the bits were taken off: "
                + string.Join(", ", files.Take(10)) + (files.Count > 10 ? ", ..." : "") + ". Find what made them (a build, a command run in the platform) and remove it.");
    });

    /// <summary>A new platform's root must be a folder that is there on its web server (a typo would otherwise be recorded).</summary>
    public static void CheckRoot(AegirPlatform platform, AegirServer server, Transport.ITransport transport)
    {
        // A pushed platform's root is made by its push (its parent must be there: a typo is still refused).
        var folder = platform.Source is not null && !Contexts.ThisMachine.Is(server) ? Path.GetDirectoryName(platform.Root)! : platform.Root;
        if (!transport.DirectoryExists(folder))
            throw Errors.ErrorCatalog.InvalidValue("Root", platform.Root, $"there is no such folder{(folder == platform.Root ? "" : $" as {folder}")} on '@{server.Name}'",
                folder == platform.Root ? "Put the codebase there first (or give the folder that holds it), then create the platform."
                    : $"Make {folder} on '@{server.Name}' (or give a root in a folder that is there), then create the platform.");
        // A push makes its root as the source has it, deleting what else is there: a new pushed platform starts on nothing.
        if (platform.Source is not null && !Contexts.ThisMachine.Is(server) && transport.Kind(platform.Root) != PathKind.None && transport.List(platform.Root).Count > 0)
            throw Errors.ErrorCatalog.InvalidValue("Root", platform.Root, $"it holds files on '@{server.Name}' already, which a push from {platform.Source} would replace or delete",
                "Give a new or empty folder for the pushed platform (or record the code that is there as a platform without -Source), then create the platform.");
    }
}
