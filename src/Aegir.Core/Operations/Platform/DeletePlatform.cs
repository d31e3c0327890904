using Aegir.Core.Contexts;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Platform;

/// <summary>Deletes a platform's web server include and its record; refused while sites use it. The codebase stays.</summary>
public sealed class DeletePlatform : Operation<DeletePlatform.Parameters>
{
    public sealed record Parameters(string Platform);

    public override string Type => "delete";
    public override ContextType TargetType => ContextType.Platform;
    public override string TargetOf(Parameters p) => p.Platform;
    public override IReadOnlyList<string> WebServersOf(Parameters p, ContextStore store)
        => store.TryGet(p.Platform) is AegirPlatform platform ? [platform.WebServerName] : [];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var platform = env.Store.GetFresh<AegirPlatform>(p.Platform, "Name");
        env.Store.CheckRemovable(platform.Name);
        // A platform that was never verified has no include to take out (and nothing to reload).
        var server = env.Store.TryGet(platform.WebServerName) is AegirServer { Http.IsNull: false } s && ThisMachine.Is(s) ? s : null;
        var http = server is null ? null : env.Http(server);
        if (server is not null && env.Connect(server).FileExists(http!.PlatformConfigPath(platform.Name)))
        {
            plan.Add(server.Name, PlanAction.Delete, $"remove {http.PlatformConfigPath(platform.Name)} and test the {http.Type} config of @{server.Name}",
                ctx => http.RemovePlatform(ctx, platform.Name));
            Site.SiteSteps.Reload(plan, env, server, http);
        }
        plan.Add(platform.Name, PlanAction.Delete, $"remove the record of @{platform.Name} (the codebase at {platform.Root} stays)", ctx =>
        {
            var data = ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(env.Store.ReadText(platform.Name) ?? ""));
            ctx.Step($"Removing the context of '@{platform.Name}'", () => env.Store.Remove(platform.Name), JournalActions.RecreateContext(platform.Name, data));
            ctx.Info($"The codebase at {platform.Root} was left in place.");
        });
        // The admin's own rules for the platform's vhosts would otherwise serve a later platform of that name.
        if (server is not null && http!.PlatformIncludeDir(platform.Name) is var rules && env.Connect(server).Kind(rules) != PathKind.None)
            plan.Add(server.Name, PlanAction.Delete, $"delete the admin's own vhost rules of @{platform.Name} in {rules}", ctx => ctx.Commit([JournalActions.DeletePath(server.Name, rules)]));
        // Last: a later platform of that name starts with no checksums of this one's code.
        var baseline = new PlatformBaseline(env.Home);
        if (File.Exists(baseline.SumsPath(platform.Name)))
            plan.Add(platform.Name, PlanAction.Delete, $"forget the checksums its verify kept ({baseline.SumsPath(platform.Name)})", _ => baseline.Remove(platform.Name));
    }
}
