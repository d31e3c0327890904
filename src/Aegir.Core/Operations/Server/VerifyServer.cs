using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Server;

/// <summary>Verifies a server: its web server's config tree and include (tested, reloaded), and database admin access.</summary>
public sealed class VerifyServer : Operation<VerifyServer.Parameters>
{
    public sealed record Parameters(string Server);

    public override string Type => "verify";
    public override ContextType TargetType => ContextType.Server;
    public override string TargetOf(Parameters p) => p.Server;
    public override IReadOnlyList<string> WebServersOf(Parameters p, ContextStore store) => [p.Server];

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var server = env.Server(p.Server, "Name");
        if (!server.Http.IsNull)
        {
            var http = env.Http(server);
            plan.Add(server.Name, PlanAction.Write, $"create the {http.Type} config folders, write {http.ServerConfigPath} and test the {http.Type} config of @{server.Name}",
                ctx => http.Verify(ctx));
            Site.SiteSteps.Reload(plan, env, server, http);
        }
        if (!server.Db.IsNull)
        {
            var db = env.Db(server);
            plan.Add(server.Name, PlanAction.Check, $"check {db.Type} admin access on @{server.Name} ({db.Host}:{db.Port}) by creating and dropping a database and a user",
                ctx => db.Verify(ctx));
        }
        if (server.Http.IsNull && server.Db.IsNull)
            plan.Add(server.Name, PlanAction.Check, $"@{server.Name} has no services: nothing to verify",
                ctx => ctx.Warn($"'@{server.Name}' has no services; there was nothing to verify."));
    }
}
