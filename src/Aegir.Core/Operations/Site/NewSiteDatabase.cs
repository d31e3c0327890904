using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Creates a site's new database and its user (named alike) atomically: a name the server already has, or that
/// <paramref name="reserve"/> finds claimed, is passed over for the next suffix. The undo drops both.
/// </summary>
internal static class NewSiteDatabase
{
    public static (string Name, string Password) Create(TaskContext ctx, SiteParts parts, ISet<string> taken, IReadOnlyList<string> hosts, Action<string, string>? reserve = null)
    {
        var (server, db) = parts.DatabaseServer;
        var password = Passwords.New();
        ctx.Secret(password);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var name = db.ProposeName(parts.Site.Uri, taken);
            taken.Add(name);
            if (db.NameInUse(name))
            {
                ctx.Debug($"Database or user {name} exists on '@{server.Name}' already; trying the next name.");
                continue;
            }
            try
            {
                reserve?.Invoke(name, password);
                ctx.Step($"Creating database {name} and its user on '@{server.Name}', granted to {string.Join(", ", hosts)}", () =>
                {
                    db.CreateDatabase(name);
                    try { db.CreateUser(name, password, name, hosts); }
                    catch (AegirException ex) when (ex.NothingChanged)
                    {
                        db.DropDatabase(name);   // ours, made a moment ago: the step as a whole changed nothing
                        throw;
                    }
                }, JournalActions.DropDatabase(server.Name, name, name));
                return (name, password);
            }
            catch (AegirException ex) when (ex.NothingChanged)
            {
                ctx.Debug(ex.Message);
            }
        }
        throw ErrorCatalog.StepFailed(ErrorIds.DbNamesExhausted, $"Choosing a database name for {parts.Site.Uri}", "100 names in a row were taken", "Drop databases that are no longer used, then try again.");
    }
}
