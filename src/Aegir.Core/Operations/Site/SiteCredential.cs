using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>Where a site's database is and the account it uses, as its PHP gets them from the vhost.</summary>
public sealed record SiteCredential(string Site, string Driver, string Host, int Port, string Database, string User, string Password)
{
    /// <summary>The credential of an installed site, read from its record and its database server's settings.</summary>
    public static SiteCredential Of(Engine engine, string site)
    {
        using var env = new OperationEnvironment(engine);
        var record = SiteRules.Fresh(env, site);
        SiteRules.Installed(record, "Reading the database credential of");
        var server = env.Server(record.DbServerName ?? throw ErrorCatalog.SiteHasNoDatabase(record.Uri, record.PlatformName, "read the credential of"), "DbServer");
        var db = env.Db(server);
        var database = SiteParts.DatabaseOf(record, db);
        return new SiteCredential(record.Uri, db.Driver, db.Host, db.Port, database.Name, database.User, database.Password);
    }
}
