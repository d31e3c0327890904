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
            plan.Add(server.Name, PlanAction.Check, $"check that {string.Join(", ", sites)} answer as they should (over HTTPS where they are served so)", ctx => ctx.Step($"Checking the pages of {sites.Count} site(s)", () =>
            {
                ctx.Progress(0, $"checking the pages of {sites.Count} site(s)");
                var parts = sites.Select(name => env.Store.TryGet(name)).OfType<AegirSite>().Where(s => s.Status != SiteStatus.NotInstalled)
                    .Select(site => Site.SiteParts.Resolve(site, env)).ToList();
                // Each page is one request to the web server: on this machine several go at once, as visitors' would.
                var verdicts = new string?[parts.Count];
                var options = new ParallelOptions { MaxDegreeOfParallelism = Contexts.ThisMachine.Is(server) ? 8 : 1 };
                int done = 0;
                Parallel.For(0, parts.Count, options, i =>
                {
                    // Each site's failure is that site's verdict, so all are told, each in its own words.
                    try { verdicts[i] = Site.SiteSteps.Judge(parts[i]); }
                    catch (Exception ex) when (ex is IOException or Errors.AegirException) { verdicts[i] = $"it did not answer ({ex.Message.TrimEnd('.')})"; }
                    var n = Interlocked.Increment(ref done);
                    ctx.Progress(100 * n / parts.Count, $"checked site {n} of {parts.Count}: {parts[i].Site.Uri}");
                });
                var problems = new List<string>();
                for (int i = 0; i < parts.Count; i++)
                {
                    if (verdicts[i] is null)
                    {
                        ctx.Info($"{parts[i].Site.Uri} answers as it should.");
                        Site.SiteSteps.FromHere(ctx, parts[i]);
                    }
                    else problems.Add($"{parts[i].Site.Uri}: {verdicts[i]}");
                }
                if (problems.Count > 0) throw Errors.ErrorCatalog.SitesBrokenAfterReload(server.Name, problems);
            }));
    }
}
