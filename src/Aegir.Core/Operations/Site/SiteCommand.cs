using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// An admin's command for one site (Invoke-AegirSiteCommand): run in the platform's root as the server's script user,
/// with the site's database in its environment (the names PHP gets from the vhost), holding the site so no task
/// changes it meanwhile. drush and wp run as the platform's own copies, pointed at the site.
/// </summary>
public static class SiteCommand
{
    /// <summary>The command's result (<paramref name="command"/> null: the site's cron, as its platform names it); its output is the program's, never logged.</summary>
    /// <param name="user">A person granted the site's client, to run the command as instead of the script user (Invoke-AegirSiteCommand -User).</param>
    public static CommandResult Run(Engine engine, string site, IReadOnlyList<string>? command, TimeSpan timeout, string? user = null)
    {
        if (command is not null && (command.Count == 0 || string.IsNullOrWhiteSpace(command[0])))
            throw ErrorCatalog.InvalidValue("Command", "", "it names no program", "Give the program and its arguments after --, such as: Invoke-AegirSiteCommand a.example -- php -v");
        return ForSite(engine, site, "a command for", "Running a command for", (parts, transport) =>
        {
            // A person is checked first, whatever runs: no path of a command (the cron URL either) for one not granted.
            var person = user is null ? null : Granted(parts, transport, user);
            var record = parts.Site;
            var database = parts.DatabaseIfAny();
            var url = parts.SiteUrl;
            var runner = parts.CommandUser;
            // A person gets the environment the site's own PHP has (its aegir_salt too, where it has a pool of its own).
            var environment = SiteJob.Environment(database, record.Uri, url, ownPool: parts.CommandsInPool);
            var words = command ?? parts.Kind.CronCommand ?? throw ErrorCatalog.StepFailed(ErrorIds.NoCronCommand, $"Running the cron of {record.Uri}", $"its platform '@{parts.Platform.Name}' ({parts.Kind.Name}) has no cron command",
                "Give the application's manifest a 'cron' key (see about_Aegir, PLATFORM MANIFEST), and verify the platform.");
            // A Drupal platform without its own drush runs the cron at the site's cron URL, with the key the site keeps.
            if (command is null && words[0] == "drush" && OwnDrush(transport, parts.Platform.Root) is null && database is not null && parts.Kind.CronPath(parts.Db!, database) is { } path)
                return CronOverHttp(parts, path);
            using var shell = person is null ? SiteShell.Open(transport, parts.Web, user: runner) : SiteShell.OpenAs(transport, parts.Web, person);
            if (command is null) words = shell.Fill(words, database, record.Uri, url, parts.Platform.Root);
            var (program, arguments) = Tool(transport, parts.Platform.Root, record.Uri, url, words);
            return shell.Run(program, arguments, parts.Platform.Root, environment, timeout);
        });
    }

    /// <summary>
    /// SQL run in the site's database by its database's own client, as the site's account, from its web server as the
    /// script user: the password only in the client's environment, never an argument or a file.
    /// </summary>
    public static CommandResult Sql(Engine engine, string site, string sql, TimeSpan timeout)
    {
        if (string.IsNullOrWhiteSpace(sql)) throw ErrorCatalog.InvalidValue("Sql", sql, "it is empty", "Give the SQL to run, such as: Invoke-AegirSiteCommand a.example -Sql 'SHOW TABLES'");
        return ForSite(engine, site, "SQL for", "Running SQL for", (parts, transport) =>
        {
            if (!parts.HasDatabase) throw ErrorCatalog.SiteHasNoDatabase(parts.Site.Uri, parts.Platform.Name, "run SQL in");
            var (program, arguments, secret) = parts.DatabaseServer.Service.SqlClient(parts.Database());
            using var shell = SiteShell.Open(transport, parts.Web, user: parts.CommandUser);
            return shell.Run(program, arguments, parts.Platform.Root, secret, timeout, System.Text.Encoding.UTF8.GetBytes(sql.EndsWith('\n') ? sql : sql + "\n"));
        });
    }

    /// <summary>
    /// The account of <paramref name="user"/> on the site's web server, when the site's client grants it the site and
    /// it is in the client's group there and holds no powers; else refused, naming who grants it what and how to grant.
    /// </summary>
    static UserAccount Granted(SiteParts parts, ITransport transport, string user)
    {
        ClientPeople.Check("User", user);
        var client = parts.Site.ClientName is { } name ? parts.Env.Store.GetFresh<AegirClient>(name, "Client") : null;
        if (client is null || !client.People.Contains(user))
        {
            var grantedBy = parts.Env.Store.List(ContextType.Client).Contexts.OfType<AegirClient>().Where(c => c.People.Contains(user)).Select(c => c.ShortName).ToList();
            throw ErrorCatalog.PersonNotGranted(user, parts.Site.Uri, client?.ShortName, grantedBy);
        }
        var account = UserAccount.Find(transport, user) ?? throw ErrorCatalog.PersonMissing(user, parts.Web.Name, client.ShortName);
        if (Client.GrantClientAccess.Refused(account, ScriptUser.WebGroup(parts.Web)) is { } why) throw ErrorCatalog.PersonPrivileged(user, parts.Web.Name, why);
        if (!account.InGroup(client.UnixGroup))
            throw ErrorCatalog.StepFailed(ErrorIds.AccessGrantFailed, $"Running a command as {user} for {parts.Site.Uri}", $"{user} is not in the group {client.UnixGroup} on '@{parts.Web.Name}', which the site's folders give access to",
                $"Grant it again (Grant-AegirClientAccess -Client {client.ShortName} -User {user}), or verify the site (Invoke-AegirVerify {parts.Site.Uri}).");
        return account;
    }

    /// <summary>Runs <paramref name="body"/> for an installed site, holding it so no task changes it meanwhile, with its parts and its web server's connection.</summary>
    static CommandResult ForSite(Engine engine, string site, string what, string doing, Func<SiteParts, ITransport, CommandResult> body)
    {
        var name = engine.Store.GetFresh<AegirSite>(site, "Site").Name;
        using var hold = engine.Runner.Hold([name], $"{what} '@{name}'", (_, _) => { });
        using var env = new OperationEnvironment(engine);
        var record = SiteRules.Fresh(env, name);
        SiteRules.Installed(record, doing);
        var parts = SiteParts.Resolve(record, env);
        return body(parts, env.Connect(parts.Web));
    }

    /// <summary>The cron URL asked of the web server as a visitor would, as a command's result; the key in the path never reaches the result.</summary>
    static CommandResult CronOverHttp(SiteParts parts, string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var answer = parts.Http.Fetch(parts.Site.Redirection ?? parts.Site.Uri, path, SiteCertificates.Pin(parts));
            return answer.Status is 200 or 204
                ? new CommandResult(0, $"The cron ran at the site's cron URL ({answer.Status}).", "", clock.Elapsed)
                : new CommandResult(1, "", $"its cron URL answered {answer.Status}", clock.Elapsed);
        }
        catch (IOException ex) { return new CommandResult(1, "", $"its cron URL did not answer: {ex.Message.Replace(path, "/cron/…")}", clock.Elapsed); }
    }

    /// <summary>The platform's own drush (composer's vendor/bin, in the root or above it); null when it has none.</summary>
    internal static string? OwnDrush(ITransport transport, string root)
        => new[] { "vendor/bin/drush", "../vendor/bin/drush" }.Select(c => Path.GetFullPath(Path.Combine(root, c))).FirstOrDefault(transport.FileExists);

    /// <summary>The platform's own WP-CLI (composer's vendor/bin/wp, or wp-cli.phar in the root); null when it has none.</summary>
    internal static string? OwnWp(ITransport transport, string root)
        => new[] { "vendor/bin/wp", "wp-cli.phar" }.Select(c => Path.GetFullPath(Path.Combine(root, c))).FirstOrDefault(transport.FileExists);

    /// <summary>drush and wp are the platform's own (vendor/bin), told which site; anything else runs as given.</summary>
    internal static (string Program, IReadOnlyList<string> Arguments) Tool(ITransport transport, string root, string uri, string url, IReadOnlyList<string> command)
    {
        var rest = command.Skip(1).ToList();
        return command[0] switch
        {
            "drush" when OwnDrush(transport, root) is { } drush => (drush, [$"--uri={uri}", .. rest]),
            "wp" when OwnWp(transport, root) is { } wp => wp.EndsWith(".phar") ? ("php", [wp, $"--path={root}", $"--url={url}", .. rest]) : (wp, [$"--path={root}", $"--url={url}", .. rest]),
            _ => (command[0], rest),
        };
    }
}
