using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Client;

/// <summary>
/// Takes a person's access to a client's sites away (Revoke-AegirClientAccess): out of the client's group on each
/// machine that serves them, and off the client's record. The login itself stays.
/// </summary>
public sealed class RevokeClientAccess : ClientAccessOperation<RevokeClientAccess.Parameters>
{
    public sealed record Parameters(string Client, string User) : IClientParameters;

    public override string Type => "revoke";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var (client, user, servers) = Resolve(p, env);
        var group = client.UnixGroup;
        foreach (var server in servers)
            plan.Add(server.Name, PlanAction.Set, $"take {user} out of the group {group} on @{server.Name}", ctx =>
            {
                var transport = env.Connect(server);
                if (UserAccount.Find(transport, user) is not { } account || !account.InGroup(group))
                {
                    ctx.Info($"{user} is not in the group {group} on '@{server.Name}'.");
                    return;
                }
                ctx.Step($"Taking {user} out of the group {group} on '@{server.Name}'", () => UnixGroups.Leave(transport, user, group, server.Name),
                    JournalActions.JoinGroup(server.Name, user, group));
            });
        if (!client.People.Contains(user))
            plan.Add(client.Name, PlanAction.Check, $"note that {user} is not among the people of {client.ShortName}",
                ctx => ctx.Info($"{user} is not among the people the client '{client.ShortName}' records."));
        else
            SiteSteps.Record<AegirClient>(plan, env, client.Name, $"take {user} off the people of {client.ShortName}", $"Taking {user} off the people of {client.ShortName}",
                c => c.People = c.People.Where(x => x != user).ToList());
    }
}
