using Aegir.Core.Contexts;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Client;

/// <summary>
/// Removes a client that owns no sites (Remove-AegirClient): on each server where the module made its group, the
/// client's people are taken out and the group is deleted when nobody else is in it; a group the module did not make
/// is left as it was. Then its record goes.
/// </summary>
public sealed class DeleteClient : Operation<DeleteClient.Parameters>
{
    public sealed record Parameters(string Client);

    public override string Type => "delete";
    public override ContextType TargetType => ContextType.Client;
    public override string TargetOf(Parameters p) => p.Client;

    public override void Check(Parameters p, ContextStore store) => store.CheckRemovable(p.Client);

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var client = env.Store.GetFresh<AegirClient>(p.Client, "Name");
        env.Store.CheckRemovable(client.Name);
        foreach (var mark in ClientGroupMark.Of(env.Home, client.Name))
        {
            if (env.Store.TryGet(mark.Server) is not AegirServer server)
            {
                plan.Add(client.Name, PlanAction.Delete, $"forget the group {mark.Group} of @{mark.Server}, a server no longer recorded",
                    ctx => ctx.Step($"Forgetting the group {mark.Group} of '@{mark.Server}', which is no longer recorded", () => ClientGroupMark.Forget(env.Home, mark.Server, mark.Group),
                        JournalActions.MarkGroup(mark.Server, mark.Group, mark.Client, mark.Gid, mark.Made)));
                continue;
            }
            plan.Add(server.Name, PlanAction.Delete, mark.Made
                    ? $"delete the group {mark.Group} on @{server.Name}, which the module made for {client.ShortName}, when nobody else is in it"
                    : $"forget the group {mark.Group} on @{server.Name} as the client's (it was there before: it stays)",
                ctx => ClientGroupUse.Release(ctx, env, server, client.Name, mark.Group, client.People));
        }
        plan.Add(client.Name, PlanAction.Delete, $"remove the record of {client}", ctx =>
        {
            var data = ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(env.Store.ReadText(client.Name) ?? ""));
            ctx.Step($"Removing the record of {client}", () => env.Store.Remove(client.Name), JournalActions.RecreateContext(client.Name, data));
        });
    }
}
