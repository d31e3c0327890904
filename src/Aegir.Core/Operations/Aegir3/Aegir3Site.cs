using Aegir.Core.Contexts;
using Aegir.Core.Platforms;

namespace Aegir.Core.Operations.Aegir3;

/// <summary>A site of an Aegir 3 server as its alias file describes it; its database is read later from its own drushrc.php.</summary>
public sealed record Aegir3Site(string Uri, string Platform, string DbServer, IReadOnlyList<string> Aliases, string? Redirection,
    string? Profile, string? Language, bool Enabled, string File)
{
    /// <summary>
    /// The database the site's own drushrc.php names (read over its platform's web server's connection, as the
    /// platform is recorded); null when it names none. <paramref name="note"/> hears what is not read.
    /// </summary>
    public ImportedDatabase? ReadDatabase(Engine engine, Action<string> note)
    {
        using var env = new OperationEnvironment(engine);
        var platform = engine.Store.GetFresh<AegirPlatform>(Platform, "Platform");
        var web = env.Server(platform.WebServerName, "WebServer");
        return Aegir3Drushrc.Read(env.Connect(env.FirstMember(web)), platform.Root, Uri, note);
    }

    /// <summary>
    /// The record alone, as -NoVerify makes it: the database its drushrc.php names and, when the site's user is named for
    /// the database (as Aegir makes it), that user's password; verify later makes the rest.
    /// </summary>
    public AegirSite ToRecord(ImportedDatabase? database)
    {
        var site = new AegirSite(Uri) { PlatformName = Platform, DbServerName = DbServer, Aliases = Aliases, Redirection = Redirection,
            Status = Enabled ? SiteStatus.Installed : SiteStatus.Disabled };
        if (Profile is not null) site.Profile = Profile;
        if (Language is not null) site.Language = Language;
        if (database is not null)
        {
            site.DbName = database.Database;
            if (database.User == database.Database && database.Password is { Length: > 0 } password) site.DbPassword = Validate.Secret("db_passwd", password);
        }
        return site;
    }
}
