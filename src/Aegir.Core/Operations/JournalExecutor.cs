using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Services.Files;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations;

/// <summary>
/// Carries out journal actions with the services of the servers they name: undos after a failure, and a
/// dead task's undos or unfinished changes when the next task repairs it. Each is safe to do twice.
/// </summary>
internal sealed class JournalExecutor(Engine engine) : IJournalExecutor
{
    public void Run(JournalAction action, TaskContext ctx)
    {
        using var env = new OperationEnvironment(engine);
        var store = engine.Store;
        switch (action.Kind)
        {
            case JournalActions.RemoveContextKind:
                store.RemoveIfExists(action.Arg("name"));
                break;
            case JournalActions.RecreateContextKind:
                if (!store.Exists(action.Arg("name"))) store.Recreate(action.Arg("name"), Text(ctx, action));
                break;
            case JournalActions.RestoreFieldsKind:
                if (store.Exists(action.Arg("name"))) store.RestoreFields(action.Arg("name"), Text(ctx, action));
                break;
            case JournalActions.DropDatabaseKind:
            {
                var db = env.Db(env.Server(action.Arg("server")));
                ctx.Secret(db.Server.Db.RevealSecret("admin_password"));
                // The database first: PostgreSQL keeps a role that still owns one.
                db.DropDatabase(action.Arg("database"));
                db.DropUser(action.Arg("user"));
                break;
            }
            case JournalActions.RestoreConfigKind:
            {
                var http = env.Http(env.Server(action.Arg("server")));
                if (!http.Restore(ctx, ctx.LoadData(action.Data!))) break;
                // A web server that is not running has nothing to reload: it reads these files when it starts.
                if (http.IsRunning() == false) ctx.Info($"{http.Type} on '@{http.Server.Name}' is not running: it reads the config put back when it starts.");
                else engine.ReloadOrDefer(ctx, http);
                break;
            }
            case JournalActions.RestoreFileKind:
                FileSnapshot.FromBytes(ctx.LoadData(action.Data!)).Restore(Connect(env, action), action.Arg("path"));
                break;
            case JournalActions.DeletePathKind:
                Connect(env, action).Delete(action.Arg("path"));
                break;
            case JournalActions.EmptyFolderKind:
            {
                var transport = Connect(env, action);
                var folder = action.Arg("path");
                if (transport.Kind(folder) != PathKind.Directory) break;
                foreach (var name in transport.List(folder)) transport.Delete(Path.Combine(folder, name));
                break;
            }
            case JournalActions.RestoreModesKind:
                new Services.Files.FileService(Connect(env, action)).RestoreModes(action.Arg("root"), ctx.LoadData(action.Data!));
                break;
            case JournalActions.MovePathKind:
            {
                var transport = Connect(env, action);
                string from = action.Arg("from"), to = action.Arg("to");
                if (transport.Kind(from) == PathKind.None) break;   // moved already, or never
                // Something took its place since: neither is removed on a guess; an admin decides which to keep.
                if (transport.Kind(to) != PathKind.None)
                    throw new IOException($"{to} is there again while what was moved from it is still at {from}; keep one of them by hand, then verify");
                transport.Move(from, to);
                break;
            }
            case JournalActions.DropUserKind:
            {
                var db = env.Db(env.Server(action.Arg("server")));
                ctx.Secret(db.Server.Db.RevealSecret("admin_password"));
                db.DropUser(action.Arg("user"));
                break;
            }
            case JournalActions.RestoreAttributesKind:
            {
                var transport = Connect(env, action);
                if (transport.Kind(action.Arg("path")) is not (PathKind.Directory or PathKind.File)) break;
                transport.SetOwner(action.Arg("path"), action.Arg("owner"), action.Arg("group"));
                transport.SetMode(action.Arg("path"), (UnixFileMode)int.Parse(action.Arg("mode"), System.Globalization.CultureInfo.InvariantCulture));
                break;
            }
            case JournalActions.DeleteBackupKind:
            {
                var path = Path.GetFullPath(action.Arg("path"));
                if (Path.GetDirectoryName(path) != new Backups.BackupStore(store.Home).Folder)
                    throw new InvalidOperationException($"{path} is not in the backups folder");
                File.Delete(path);
                break;
            }
            case JournalActions.RestorePoolKind:
            {
                var server = env.Server(action.Arg("server"));
                var pools = env.Pools(server);
                if (!pools.Restore(ctx.LoadData(action.Data!))) break;
                // PHP-FPM alone: the vhost that used the pool was put back before (undos run in reverse).
                if (!pools.IsRunning) ctx.Info($"PHP-FPM on '@{server.Name}' is not running: it reads the pools put back when it starts.");
                else pools.ReloadIfPending(ctx);
                break;
            }
            case JournalActions.DeleteAccountKind:
            {
                if (action.Args.TryGetValue("platform", out var built))
                {
                    // A build's account: no pool ever runs as it.
                    Services.Php.SiteAccount.Remove(Connect(env, action), Services.Php.PhpAccount.ForBuild(built, store.Home), null, ctx.Info);
                    break;
                }
                var shared = (action.Args.TryGetValue("shared", out var folders) ? folders : "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var account = action.Args.TryGetValue("client", out var client)
                    ? Services.Php.PhpAccount.ForClient(client, store.Home)
                    : Services.Php.PhpAccount.ForSite(action.Arg("uri"), store.Home);
                // An account stays while a site's pool on the machine runs as it (or moves from or to it): a client's other
                // site, or this site on another server record of the same machine (moved there).
                var pools = env.Pools(env.Server(action.Arg("server")));
                using var held = pools.HoldAccounts();
                if (pools.InUse(account.Name, action.Args.GetValueOrDefault("pool"))) { ctx.Info($"The account {account.Name} of {account.Of} was kept: a site on this machine runs as it."); break; }
                Services.Php.SiteAccount.Remove(Connect(env, action), account, shared, ctx.Info);
                break;
            }
            case JournalActions.DropUserAclKind:
            {
                var transport = Connect(env, action);
                var user = action.Arg("user");
                var paths = action.Arg("paths").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(p => transport.Kind(p) is Transport.PathKind.Directory or Transport.PathKind.File).ToList();
                if (paths.Count > 0 && transport.UserExists(user))
                    transport.Run(Services.Files.AclRemoval.User(user, paths));
                break;
            }
            case JournalActions.DropSharedAclKind:
                Site.SharedFolderAccess.Drop(env, store, Connect(env, action), action, ctx);
                break;
            case JournalActions.DeleteGroupKind:
            {
                // A group that others came to rely on meanwhile (a site of the same client installed beside this task's,
                // a person granted) stays: what this task put into it was taken out before this runs.
                var transport = Connect(env, action);
                var group = action.Arg("group");
                if (UnixGroups.Members(transport, group).Count > 0 || ClientGroupServes(store, group, ctx.Task.Target))
                {
                    ctx.Info($"The group {group} on '@{action.Arg("server")}' was kept: another site or person uses it now.");
                    break;
                }
                UnixGroups.Delete(transport, group, action.Arg("server"));
                Client.ClientGroupMark.Forget(env.Home, action.Arg("server"), group);
                break;
            }
            case JournalActions.RestoreGroupKind:
            {
                var transport = Connect(env, action);
                var gid = int.Parse(action.Arg("gid"), System.Globalization.CultureInfo.InvariantCulture);
                UnixGroups.Add(transport, action.Arg("group"), action.Arg("server"), gid);
                if (UnixGroups.Id(transport, action.Arg("group")) == gid)
                    new Client.ClientGroupMark(action.Arg("server"), action.Arg("group"), action.Arg("client"), gid, Made: true).Save(env.Home);
                break;
            }
            case JournalActions.MarkGroupKind:
                new Client.ClientGroupMark(action.Arg("server"), action.Arg("group"), action.Arg("client"),
                    int.Parse(action.Arg("gid"), System.Globalization.CultureInfo.InvariantCulture), action.Arg("made") == "true").Save(env.Home);
                break;
            case JournalActions.UnmarkGroupKind:
                if (Client.ClientGroupMark.Find(env.Home, action.Arg("server"), action.Arg("group")) is { Made: false })
                    Client.ClientGroupMark.Forget(env.Home, action.Arg("server"), action.Arg("group"));
                break;
            case JournalActions.LeaveGroupKind:
                UnixGroups.Leave(Connect(env, action), action.Arg("user"), action.Arg("group"), action.Arg("server"));
                break;
            case JournalActions.JoinGroupKind:
                UnixGroups.Join(Connect(env, action), action.Arg("user"), action.Arg("group"), action.Arg("server"));
                break;
            case JournalActions.DeletePersonKind:
                UnixGroups.DeletePerson(Connect(env, action), action.Arg("user"), action.Arg("server"));
                break;
            case JournalActions.DropGroupAclKind:
            {
                var transport = Connect(env, action);
                // A group deleted since cannot be named: the entries that name its number are the next verify's to clear.
                if (!transport.GroupExists(action.Arg("group"))) break;
                new GroupAcl(transport, action.Arg("server"), Owner(action)).Remove(action.Arg("paths").Split('\n', StringSplitOptions.RemoveEmptyEntries), action.Arg("group"));
                break;
            }
            case JournalActions.GrantGroupAclKind:
            {
                var transport = Connect(env, action);
                if (!transport.GroupExists(action.Arg("group"))) break;
                string[] Lines(string key) => action.Arg(key).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                new GroupAcl(transport, action.Arg("server"), Owner(action)).Grant(Lines("read"), Lines("write"), Lines("files"), action.Arg("group"));
                break;
            }
            case JournalActions.RestoreCertificateKind:
                new Services.Certificates.CertificateStore(store.Home).Restore(action.Arg("uri"), action.Data is null ? null : Text(ctx, action));
                break;
            case JournalActions.RemoveCertificateKind:
                new Services.Certificates.CertificateStore(store.Home).Remove(action.Arg("uri"));
                break;
            case JournalActions.NoneKind:
                break;
            default:
                throw new InvalidOperationException($"this version does not know the journal action '{action.Kind}'");
        }
    }

    /// <summary>Whether an installed site (not the task's own, whose record it puts back after) belongs to a client whose group this is.</summary>
    static bool ClientGroupServes(ContextStore store, string group, string target)
    {
        var clients = store.List(ContextType.Client).Contexts.OfType<AegirClient>().Where(c => c.UnixGroup == group).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return clients.Count > 0 && store.List(ContextType.Site).Contexts.OfType<AegirSite>()
            .Any(s => s.Name != target && s.ClientName is { } client && clients.Contains(client) && s.Status != SiteStatus.NotInstalled);
    }

    /// <summary>Whom an ACL walk runs as: the files' owner the action names (an account gone since: nothing of it is left to walk).</summary>
    static string? Owner(JournalAction action) => action.Args.TryGetValue("owner", out var owner) ? owner : null;

    static ITransport Connect(OperationEnvironment env, JournalAction action) => env.Connect(env.Server(action.Arg("server")));

    static string Text(TaskContext ctx, JournalAction action) => Encoding.UTF8.GetString(ctx.LoadData(action.Data!));
}
