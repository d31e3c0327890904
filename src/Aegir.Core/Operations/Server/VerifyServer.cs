using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Server;

/// <summary>
/// Verifies a server: a web server's script user first (there, unprivileged, in the web group), then its config tree
/// and include (tested, reloaded), and database admin access.
/// </summary>
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
            var user = server.ScriptUser;
            plan.Add(server.Name, PlanAction.Check, $"check that the script user {user} is on @{server.Name}, holds none of root's powers and is in the group {http.WebGroup}",
                ctx => ctx.Step($"Checking the script user {user}", () =>
                {
                    var account = Transport.ScriptUser.Require(env.Connect(server), user, server.Name, http.WebGroup);
                    if (!account.InGroup(http.WebGroup)) throw Errors.ErrorCatalog.ScriptUserNotInWebGroup(user, server.Name, http.WebGroup);
                    ctx.Info($"Commands for its sites run as {user} (uid {account.Uid}).");
                }));
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
