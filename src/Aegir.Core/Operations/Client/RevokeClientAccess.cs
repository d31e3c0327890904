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
    /// <param name="StopProcesses">End the person's processes that still hold the group (they keep it until they end).</param>
    public sealed record Parameters(string Client, string User, bool StopProcesses = false) : IClientParameters;

    public override string Type => "revoke";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var (client, user, servers) = Resolve(p, env);
        var group = client.UnixGroup;
        foreach (var server in servers)
            plan.Add(server.Name, PlanAction.Set, $"take {user} out of the group {group} on @{server.Name}{(p.StopProcesses ? ", and end their processes that hold it" : "")}", ctx =>
            {
                var transport = env.Connect(server);
                if (UserAccount.Find(transport, user) is not { } account) { ctx.Info($"{user} has no login on '@{server.Name}'."); return; }
                if (!account.InGroup(group)) ctx.Info($"{user} is not in the group {group} on '@{server.Name}'.");
                else
                    ctx.Step($"Taking {user} out of the group {group} on '@{server.Name}'", () => UnixGroups.Leave(transport, user, group, server.Name),
                        JournalActions.JoinGroup(server.Name, user, group));
                if (UnixGroups.Id(transport, group) is not { } gid) return;
                // Running processes keep the group until they end: ended with -StopProcesses, else named.
                if (p.StopProcesses)
                    ctx.Step($"Ending the processes of {user} that hold the group {group} on '@{server.Name}'", () =>
                    {
                        if (GroupProcesses.End(transport, user, gid) is { Count: > 0 } left)
                            ctx.Warn($"Processes of {user} on '@{server.Name}' still hold the group {group} after being killed: {GroupProcesses.Show(left)}. End them by hand (kill -KILL).");
                    });
                else if (GroupProcesses.Holding(transport, user, gid) is { Count: > 0 } running)
                    ctx.Warn($"{user} has processes on '@{server.Name}' that keep the group {group}, and so reach the client's sites, until they end: {GroupProcesses.Show(running)}. End them: Revoke-AegirClientAccess -Client {client.ShortName} -User {user} -StopProcesses.");
            });
        if (!client.People.Contains(user))
            plan.Add(client.Name, PlanAction.Check, $"note that {user} is not among the people of {client.ShortName}",
                ctx => ctx.Info($"{user} is not among the people the client '{client.ShortName}' records."));
        else
            SiteSteps.Record<AegirClient>(plan, env, client.Name, $"take {user} off the people of {client.ShortName}", $"Taking {user} off the people of {client.ShortName}",
                c => c.People = c.People.Where(x => x != user).ToList());
    }
}
