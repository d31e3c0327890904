using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Server;

/// <summary>Reloads a server's web server: the end of a batch of config changes that each passed their test.</summary>
public sealed class ReloadServer : Operation<ReloadServer.Parameters>
{
    public sealed record Parameters(string Server);

    public override string Type => "reload";
    public override ContextType TargetType => ContextType.Server;
    public override string TargetOf(Parameters p) => p.Server;

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var server = env.Server(p.Server, "WebServer");
        var http = env.Http(server);
        plan.Add(server.Name, PlanAction.Reload, $"reload {http.Type} on @{server.Name}",
            ctx => ctx.Step($"Reloading {http.Type} on '@{server.Name}'", () => http.Reload(ctx)));
    }
}
