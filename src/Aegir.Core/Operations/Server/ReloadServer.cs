using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Server;

/// <summary>Reloads a server's web server: the end of a batch of config changes that each passed their test.</summary>
public sealed class ReloadServer : Operation<ReloadServer.Parameters>
{
    /// <param name="Sites">Sites to check over HTTP once the reload is done (a batch's changes).</param>
    public sealed record Parameters(string Server, IReadOnlyList<string>? Sites = null);

    public override string Type => "reload";
    public override ContextType TargetType => ContextType.Server;
    public override string TargetOf(Parameters p) => p.Server;

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var server = env.Server(p.Server, "WebServer");
        var http = env.Http(server);
        plan.Add(server.Name, PlanAction.Reload, $"reload {http.Type} on @{server.Name}",
            ctx => ctx.Step($"Reloading {http.Type} on '@{server.Name}'", () => http.Reload(ctx)));
        if (p.Sites is { Count: > 0 } sites)
            plan.Add(server.Name, PlanAction.Check, $"check that {string.Join(", ", sites)} answer over HTTP as they should", ctx => ctx.Step($"Checking the pages of {sites.Count} site(s)", () =>
            {
                var problems = new List<string>();
                int n = 0;
                foreach (var name in sites)
                {
                    ctx.Progress(100 * n++ / sites.Count, $"checking site {n} of {sites.Count}: {name}");
                    if (env.Store.TryGet(name) is not AegirSite { Status: not SiteStatus.NotInstalled } site) continue;
                    var problem = Site.SiteSteps.Judge(Site.SiteParts.Resolve(site, env));
                    if (problem is null) ctx.Info($"{site.Uri} answers as it should.");
                    else problems.Add($"{site.Uri}: {problem}");
                }
                if (problems.Count > 0) throw Errors.ErrorCatalog.SitesBrokenAfterReload(server.Name, problems);
            }));
    }
}
