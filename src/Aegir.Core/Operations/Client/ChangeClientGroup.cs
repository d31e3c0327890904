using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Operations.Client;

/// <summary>
/// Gives a client another UNIX group (Set-AegirClient -UnixGroup), on every machine that serves its sites at once:
/// the new group is checked there first (one that is there and not the client's to use is refused, nothing changed),
/// then made, its people put into it, and the sites' ACL entries moved to it; the people leave the old group, which
/// is deleted where the module made it for the client and nobody else is in it; the record changes last.
/// </summary>
public sealed class ChangeClientGroup : Operation<ChangeClientGroup.Parameters>
{
    /// <param name="UnixGroup">The new group, its name as the record will hold it (the default spelled out).</param>
    /// <param name="Adopt">The admin says the group, where it is there already, is theirs to give the client's sites.</param>
    public sealed record Parameters(string Client, string UnixGroup, bool Adopt = false);

    public override string Type => "regroup";
    public override ContextType TargetType => ContextType.Client;
    public override string TargetOf(Parameters p) => p.Client;

    /// <summary>The client's sites: their ACLs change under their own locks, not beside a task of theirs.</summary>
    public override IReadOnlyList<string> LocksOf(Parameters p, ContextStore store) => Sites(store, p.Client).Select(s => s.Name).ToList();

    public override void Check(Parameters p, ContextStore store) => _ = store.Preview<AegirClient>(p.Client, "Name", c => Apply(c, p));

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        Check(p, env.Store);
        var client = env.Store.GetFresh<AegirClient>(p.Client, "Client");
        var changed = env.Store.Preview<AegirClient>(p.Client, "Name", c => Apply(c, p)).Context;
        var (old, group) = (client.UnixGroup, ClientGroups.Require(changed));
        var servers = ClientServers.Of(env, client);
        // Where the old group is, though no site is there now (its last site removed): it goes there too.
        var left = ClientGroupMark.Of(env.Home, client.Name).Where(m => m.Group == old && servers.All(s => s.Name != m.Server))
            .Select(m => env.Store.TryGet(m.Server)).OfType<AegirServer>().ToList();
        if (group != old)
        {
            foreach (var server in servers)
                plan.Add(server.Name, PlanAction.Check, $"check that the group {group} on @{server.Name} is missing or the client's to use",
                    _ => ClientGroupUse.Check(env, server, env.Connect(server), changed, group, p.Adopt));
            foreach (var server in servers)
                plan.Add(server.Name, PlanAction.Create, $"make the group {group} on @{server.Name} when it is missing{(client.People.Count > 0 ? $", with {string.Join(", ", client.People)} in it" : "")}",
                    ctx =>
                    {
                        var transport = env.Connect(server);
                        ClientGroupUse.Claim(ctx, env, server, transport, changed, group, p.Adopt);
                        ClientGroupUse.Members(ctx, server, transport, changed);
                    });
            foreach (var site in Sites(env.Store, client.Name).Where(s => s.Status != SiteStatus.NotInstalled))
                SiteAccess.Plan(plan, SiteParts.Resolve(site, env), changed);
            foreach (var server in servers.Concat(left))
                plan.Add(server.Name, PlanAction.Delete, $"take {(client.People.Count > 0 ? string.Join(", ", client.People) : "the client's people")} out of the group {old} on @{server.Name}, and delete it when the module made it for {client.ShortName} and nobody else is in it",
                    ctx => ClientGroupUse.Release(ctx, env, server, client.Name, old, client.People));
        }
        SiteSteps.Record<AegirClient>(plan, env, client.Name, $"record {group} as the group of {client.ShortName}{(p.Adopt ? " (adopted)" : "")}",
            $"Recording {group} as the group of {client.ShortName}", c => Apply(c, p));
    }

    static void Apply(AegirClient client, Parameters p)
    {
        client.UnixGroup = p.UnixGroup == ClientGroups.Default(client.ShortName) ? "" : p.UnixGroup;
        client.AdoptGroup = p.Adopt;
    }

    static IEnumerable<AegirSite> Sites(ContextStore store, string client)
        => store.List(ContextType.Site).Contexts.OfType<AegirSite>().Where(s => s.ClientName == client);
}
