using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Client;

/// <summary>
/// A client's group taken up and let go on one server. Taken up: made (and marked made) when missing; when it is
/// there, used only if the module made it for this client, or the admin said it is theirs to give (-AdoptGroup), or
/// a finished task's log says the module made it (a version that kept no marks); any other is refused, since its
/// members would reach the client's sites. Let go: the client's people taken out, and the group deleted when the
/// module made it for the client and nobody else is in it; a group the module did not make is left as it is.
/// </summary>
internal static class ClientGroupUse
{
    /// <summary>Refuses, changing nothing, a group on <paramref name="server"/> the client may not use.</summary>
    public static void Check(OperationEnvironment env, AegirServer server, ITransport transport, AegirClient client, string group, bool adopt)
    {
        if (!transport.GroupExists(group) || UnixGroups.Id(transport, group) is not { } gid) return;
        if ((gid == 0 ? "root" : UnixGroups.PrimaryOf(transport, gid).FirstOrDefault()) is { } owner)
            throw ErrorCatalog.InvalidValue("UnixGroup", group, $"on '@{server.Name}' it is the own group of the user {owner}, who would reach the client's sites ungranted",
                $"Give the client a group of its own with Set-AegirClient {client.ShortName} -UnixGroup (such as c-{group}), then verify its sites.");
        var mark = ClientGroupMark.Find(env.Home, Machine(env, server), group);
        if (mark is not null && mark.Holds(client.Name, gid) || adopt || mark is null && LoggedAsMade(env, server.Name, group)) return;
        throw ErrorCatalog.ClientGroupNotOurs(group, server.Name, client.ShortName, mark is not null && mark.Client != client.Name && mark.Client.Length > 0 && mark.Gid == gid ? mark.Client : null);
    }

    /// <summary>The group ready for the client on <paramref name="server"/>: checked, then made and marked when missing, or marked adopted.</summary>
    public static void Claim(TaskContext ctx, OperationEnvironment env, AegirServer server, ITransport transport, AegirClient client, string group, bool adopt)
    {
        Check(env, server, transport, client, group, adopt);
        var home = env.Home;
        if (!transport.GroupExists(group) || UnixGroups.Id(transport, group) is not { } gid)
        {
            ctx.Step($"Making the client's group {group} on '@{server.Name}'", () =>
            {
                UnixGroups.Add(transport, group, server.Name);
                if (UnixGroups.Id(transport, group) is { } made) new ClientGroupMark(server.Name, group, client.Name, made, Made: true).Save(home);
            }, JournalActions.DeleteGroup(server.Name, group));
            return;
        }
        if (ClientGroupMark.Find(home, Machine(env, server), group) is { } mark && mark.Holds(client.Name, gid))
        {
            // Noted by another server record of this machine: noted here too, so that what is done here knows it as made or adopted.
            if (mark.Server != server.Name)
                ctx.Step($"Noting the group {group} on '@{server.Name}' as '@{mark.Server}' notes it (the same machine)", () => (mark with { Server = server.Name }).Save(home));
            return;
        }
        ctx.Step($"Noting the group {group} on '@{server.Name}', which was there already, as the client's to use (the module never deletes it)",
            () => new ClientGroupMark(server.Name, group, client.Name, gid, Made: false).Save(home), JournalActions.UnmarkGroup(server.Name, group));
    }

    /// <summary>The server records of the machine <paramref name="server"/> is, itself first, by name.</summary>
    static IEnumerable<string> Machine(OperationEnvironment env, AegirServer server) => MachineKeys.Mates(env.Store, server).Select(s => s.Name);

    /// <summary>
    /// Whether a task of the module's that finished made the group there: versions before the marks logged it so. The
    /// task records in $AEGIR_HOME are root's, so no site's code can forge one; a group deleted and made again by hand
    /// since cannot be told apart, so such a group is taken as adopted, never deleted.
    /// </summary>
    static bool LoggedAsMade(OperationEnvironment env, string server, string group)
    {
        var line = $"Making the client's group {group} on '@{server}'";
        return env.Engine.Runner.Store.List((type, _) => type is "install" or "verify" or "grant" or "import" or "restore" or "move" or "rename" or "clone")
            .Any(t => t.Status is AegirTaskStatus.Succeeded or AegirTaskStatus.Warning && t.Log.Any(e => e.Message == line));
    }

    /// <summary>The client's people join its group on a machine that serves its sites (those granted before the group was there, or before a change of group).</summary>
    public static void Members(TaskContext ctx, AegirServer server, ITransport transport, AegirClient client)
    {
        var web = server.Name;
        foreach (var user in client.People)
        {
            if (UserAccount.Find(transport, user) is not { } account)
                ctx.Warn($"{user}, granted the sites of '{client.ShortName}', has no login on '@{web}': make one there (Grant-AegirClientAccess -Client {client.ShortName} -User {user} -Create).");
            else if (GrantClientAccess.Refused(account, ScriptUser.WebGroup(server)) is { } why)
                ctx.Warn($"{user}, granted the sites of '{client.ShortName}', holds powers no client's person may have on '@{web}' ({why}): it was not put into {client.UnixGroup} there.");
            else if (!account.InGroup(client.UnixGroup))
                ctx.Step($"Putting {user} into the group {client.UnixGroup} on '@{web}'", () => UnixGroups.Join(transport, user, client.UnixGroup, web), JournalActions.LeaveGroup(web, user, client.UnixGroup));
        }
    }

    /// <summary>
    /// The client leaves <paramref name="group"/> on <paramref name="server"/>: its <paramref name="people"/> out of it,
    /// and the group deleted when the module made it for the client and no one else is in it; otherwise the module
    /// forgets it (a group it did not make) or keeps it with a warning that names who is still in it.
    /// </summary>
    public static void Release(TaskContext ctx, OperationEnvironment env, AegirServer server, string client, string group, IReadOnlyList<string> people)
    {
        var transport = env.Connect(server);
        var home = env.Home;
        var mark = ClientGroupMark.Find(home, server.Name, group);
        if (!transport.GroupExists(group) || UnixGroups.Id(transport, group) is not { } gid)
        {
            if (mark is not null && mark.Client == client)
                ctx.Step($"Forgetting the group {group} on '@{server.Name}', which is gone", () => ClientGroupMark.Forget(home, server.Name, group),
                    JournalActions.MarkGroup(server.Name, group, mark.Client, mark.Gid, mark.Made));
            return;
        }
        foreach (var user in people)
            if (UserAccount.Find(transport, user) is { } account && account.InGroup(group))
                ctx.Step($"Taking {user} out of the group {group} on '@{server.Name}'", () => UnixGroups.Leave(transport, user, group, server.Name), JournalActions.JoinGroup(server.Name, user, group));
        if (mark is null || !mark.Holds(client, gid) || !mark.Made)
        {
            if (mark is not null && mark.Client == client)
                ctx.Step($"Forgetting the group {group} on '@{server.Name}' as the client's", () => ClientGroupMark.Forget(home, server.Name, group),
                    JournalActions.MarkGroup(server.Name, group, mark.Client, mark.Gid, mark.Made));
            ctx.Info($"The group {group} on '@{server.Name}' was left as it is: the module did not make it for the client.");
            return;
        }
        if (UnixGroups.Members(transport, group).Concat(UnixGroups.PrimaryOf(transport, gid)).ToList() is { Count: > 0 } others)
        {
            // The client's note goes, as an adopted group's does, and one saying it is no one's takes its place (with no
            // note, the log of the task that made it would vouch for it): a client given this group later must not take
            // it over, strangers and all, without being told; it is refused unless adopted.
            ctx.Step($"Noting the group {group} on '@{server.Name}' as no longer the client's", () => ClientGroupMark.LetGo(server.Name, group, gid).Save(home),
                JournalActions.MarkGroup(server.Name, group, mark.Client, mark.Gid, mark.Made));
            ctx.Warn($"The group {group} on '@{server.Name}', which the module made for the client, was kept: {string.Join(", ", others)} {(others.Count == 1 ? "is" : "are")} in it, not put there by the module. The module no longer counts it as the client's (a client using it again must adopt it: -AdoptGroup). Take them out, then delete it (groupdel {group}).");
            return;
        }
        ctx.Step($"Deleting the group {group} on '@{server.Name}', which the module made for the client", () =>
        {
            UnixGroups.Delete(transport, group, server.Name);
            ClientGroupMark.Forget(home, server.Name, group);
        }, JournalActions.RestoreGroup(server.Name, group, gid, client));
    }
}
