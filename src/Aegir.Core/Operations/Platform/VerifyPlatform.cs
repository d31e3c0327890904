using Aegir.Core.Contexts;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// Verifies a platform: finds its kind and version, writes what the kind needs (WordPress's shared wp-config.php),
/// takes write access to the code away from the web server, writes the platform's web server include (tested,
/// reloaded), and counts its packages.
/// </summary>
public sealed class VerifyPlatform : Operation<VerifyPlatform.Parameters>
{
    public sealed record Parameters(string Platform);

    public override string Type => "verify";
    public override ContextType TargetType => ContextType.Platform;
    public override string TargetOf(Parameters p) => p.Platform;
    public override IReadOnlyList<string> WebServersOf(Parameters p, ContextStore store) => [store.GetFresh<AegirPlatform>(p.Platform, "Name").WebServerName];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var platform = env.Store.GetFresh<AegirPlatform>(p.Platform, "Name");
        var server = env.Server(platform.WebServerName, "WebServer");
        var http = env.Http(server);
        var transport = env.Connect(server);
        // Checked again where the code is: a root that has become a link to a system folder is never touched.
        PlatformRoots.Check(platform.Root, transport.ResolvePath(platform.Root), transport.ResolvePath(env.Home));
        var (kind, version) = PlatformKinds.Detect(transport, platform.Root);
        plan.Add(server.Name, PlanAction.Check, $"find the codebase at {platform.Root}: {kind.Name}{(version is null ? "" : " " + version)}",
            ctx => ctx.Step($"Finding the codebase at {platform.Root}", () => ctx.Info($"The codebase is {kind.Name}{(version is null ? "" : " " + version)}.")));
        if (platform.Kind != kind.Name || platform.Version != version)
            Site.SiteSteps.Record<AegirPlatform>(plan, env, platform.Name, $"record @{platform.Name} as {kind.Name} {version}".TrimEnd(),
                $"Recording the platform as {kind.Name} {version}".TrimEnd(), pl => { pl.Kind = kind.Name; pl.Version = version; });
        var owner = env.Owner(server);
        if (kind.PlatformSettingsPath is { } settings)
            plan.Add(server.Name, PlanAction.Write, $"write {settings} {Modes.Octal(Modes.File0440)} {owner}:{http.WebGroup} in {platform.Root} (no credentials)",
                ctx => kind.PreparePlatform(new PlatformJob
                {
                    Ctx = ctx, Platform = platform, Server = server, Transport = transport, Templates = env.Templates, Owner = owner, WebGroup = http.WebGroup,
                }));
        plan.Add(server.Name, PlanAction.Set, $"take group and other write away from {platform.Root}" + (kind.WritablePaths.Count > 0 ? $", except {string.Join(", ", kind.WritablePaths)}" : ""),
            ctx => ctx.Step("Taking write access to the codebase away from the web server", () => new FileService(transport).ProtectCodebase(platform.Root, kind.WritablePaths)));
        plan.Add(server.Name, PlanAction.Write, $"write {http.PlatformConfigPath(platform.Name)} and test the {http.Type} config of @{server.Name}", ctx =>
        {
            var recorded = env.Store.GetFresh<AegirPlatform>(platform.Name, "Name");
            http.WritePlatform(ctx, recorded);
        });
        Site.SiteSteps.Reload(plan, env, server, http);
        plan.Add(server.Name, PlanAction.Check, $"count the packages of @{platform.Name}", ctx =>
        {
            var packages = kind.ScanPackages(transport, platform.Root, platform.Name);
            ctx.Info($"Found {packages.Count} package(s): {string.Join(", ", packages.GroupBy(x => x.Type).Select(g => $"{g.Count()} {g.Key}"))}.");
        });
    }
}
