using Aegir.Core.Contexts;
using Aegir.Core.Platforms;

namespace Aegir.Core.Operations.Site;

/// <summary>What Import-AegirSite finds: sites a platform's code holds that have no context, and where their settings say their database is.</summary>
public static class SiteImports
{
    public sealed record Found(string Uri, ImportedDatabase? Database);

    public static IReadOnlyList<Found> Find(Engine engine, AegirPlatform platform)
    {
        using var env = new OperationEnvironment(engine);
        var web = env.Server(platform.WebServerName, "WebServer");
        var transport = env.Connect(web);
        var kind = env.KindOf(platform, web);
        return kind.FoundSites(transport, platform.Root)
            .Where(uri => !engine.Store.Exists(uri))
            .Select(uri => new Found(uri, ReadDatabase(kind, transport, platform.Root, uri)))
            .ToList();
    }

    /// <summary>
    /// Where a site's own files say its database is: its settings file, else the drushrc.php Aegir 3 keeps beside it
    /// (Aegir's settings.php reads the database from the vhost's environment, so only its drushrc.php names it).
    /// </summary>
    public static ImportedDatabase? ReadDatabase(IPlatformKind kind, Transport.ITransport transport, string root, string uri)
        => kind.ReadDatabaseSettings(transport, root, uri) ?? Aegir3.Aegir3Drushrc.Read(transport, root, uri);

    /// <summary>The server whose database service is where the settings point (host and port); null when none is.</summary>
    public static string? DbServerFor(ContextStore store, ImportedDatabase db)
    {
        static bool Local(string host) => host is "localhost" or "127.0.0.1" or "::1";
        foreach (var server in store.List(ContextType.Server).Contexts.Cast<AegirServer>().Where(s => !s.Db.IsNull))
        {
            var port = server.Db.GetInt("port");
            bool hostMatches = Local(db.Host) ? Contexts.ThisMachine.Is(server) : string.Equals(db.Host, server.RemoteHost, StringComparison.OrdinalIgnoreCase);
            if (hostMatches && (db.Port == 0 ? port is 3306 or 5432 : db.Port == port)) return server.Name;
        }
        return null;
    }
}
