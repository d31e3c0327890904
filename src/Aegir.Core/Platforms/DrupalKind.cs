using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Aegir.Core.Errors;
using Aegir.Core.Services;
using Aegir.Core.Services.Files;
using Aegir.Core.Services.Http;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// Drupal 8 and later (<c>drupal</c>) or Drupal 7 (<c>drupal7</c>): a site is sites/&lt;uri&gt; with its own
/// settings.php (no password in it: credentials come from the vhost, or the environment for drush), files
/// and private folders owned by the web group, and modules/themes/libraries for site-only code.
/// </summary>
public sealed partial class DrupalKind(bool seven) : IPlatformKind
{
    public string Name => seven ? "drupal7" : "drupal";

    public bool Detect(ITransport transport, string root, out string? version)
    {
        version = null;
        var file = seven ? Path.Combine(root, "includes", "bootstrap.inc") : Path.Combine(root, "core", "lib", "Drupal.php");
        if (transport.ReadFile(file) is not { } bytes) return false;
        var m = (seven ? Version7() : Version8()).Match(System.Text.Encoding.UTF8.GetString(bytes));
        version = m.Success ? m.Groups[1].Value : null;
        return true;
    }

    public string? FilesPath(string uri) => $"sites/{uri}/files";
    public string? PrivatePath(string uri) => $"sites/{uri}/private";
    public IReadOnlyList<string> WritablePaths { get; } = ["sites/*/files", "sites/*/private"];

    public IReadOnlyList<SiteDirectory> SiteDirectories(string uri) =>
    [
        new($"sites/{uri}", Modes.Dir755, false),
        new($"sites/{uri}/files", Modes.Dir2770, true),
        new($"sites/{uri}/private", Modes.Dir2770, true),
        new($"sites/{uri}/private/files", Modes.Dir2770, true),
        new($"sites/{uri}/private/temp", Modes.Dir2770, true),
        new($"sites/{uri}/private/config", Modes.Dir2770, true),
        new($"sites/{uri}/private/config/sync", Modes.Dir2770, true),
        new($"sites/{uri}/modules", Modes.Dir2775, false),
        new($"sites/{uri}/themes", Modes.Dir2775, false),
        new($"sites/{uri}/libraries", Modes.Dir2775, false),
    ];

    public IReadOnlyList<string> SiteRoots(string uri) => [$"sites/{uri}"];

    /// <summary>Image style derivatives (Drupal 7 and later) and CSS/JS aggregates (Drupal 10.1 and later) are made when first asked for.</summary>
    public IReadOnlyList<string> MadeOnRequest(string uri) => [$"sites/{uri}/files/styles", $"sites/{uri}/files/css", $"sites/{uri}/files/js"];
    public IReadOnlyList<string> SharedFolders => [];
    public IReadOnlyList<string> SharedCode => ["sites/all"];
    public string FrontController => "index.php";
    public IReadOnlyList<string> DeniedPaths(string uri) => [.. AppManifest.AlwaysDenied, $"/sites/{uri}/settings.php", $"/sites/{uri}/local.settings.php"];

    public string? PlatformSettingsPath => null;

    public string? SiteSettingsPath(string uri) => $"sites/{uri}/settings.php";

    public bool HasInstaller => true;
    public IReadOnlyList<string>? CronCommand => ["drush", "cron"];

    public void PreparePlatform(PlatformJob job) { }

    public void WriteSiteSettings(SiteJob job)
        => job.WriteFile($"Writing {SiteSettingsPath(job.Site.Uri)} {Modes.Octal(Modes.File0440)} {job.Owner}:{job.WebGroup} (no credentials: they come from the vhost)",
            SiteSettingsPath(job.Site.Uri)!, Modes.File0440, existing => RenderSiteSettings(job, existing));

    public string RenderSiteSettings(SiteJob job, byte[]? existing)
    {
        var (charset, collation) = Encoding(job);
        var salt = existing is null ? null : HashSalt().Match(System.Text.Encoding.UTF8.GetString(existing)) is { Success: true } m ? m.Groups[1].Value : null;
        return job.Templates.Render("drupal-settings.php.sbn", new Dictionary<string, object?>
        {
            ["uri"] = job.Site.Uri,
            ["driver"] = job.OwnDatabase.Type,
            ["charset"] = charset,
            ["collation"] = collation,
            ["platform"] = job.Platform.Name,
            ["hash_salt"] = salt ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
            ["files_path"] = FilesPath(job.Site.Uri),
            ["private_path"] = PrivatePath(job.Site.Uri),
            ["trusted_hosts"] = string.Join(", ", job.Site.HostNames().Select(h => "'^" + Regex.Escape(h).Replace("'", "") + "$'")),
        });
    }

    /// <summary>
    /// The connection's character set and collation for MySQL, as this major version takes them. Drupal 8 and later
    /// speak utf8mb4. Drupal 7 speaks utf8 (utf8mb3) unless its settings say 'charset' => 'utf8mb4', and its collation
    /// must be of the same set, so it follows what the site's tables were made with (its system table); a new site
    /// gets utf8mb4, which Drupal 7.50 and later install with when told before the install.
    /// </summary>
    (string? Charset, string? Collation) Encoding(SiteJob job)
    {
        if (job.OwnDatabase.Type != "mysql") return (null, null);
        if (!seven) return (null, "utf8mb4_general_ci");
        var made = job.OwnDb.TableCollation(job.OwnDatabase.Name, "system");
        if (made is null || made.StartsWith("utf8mb4_", StringComparison.Ordinal)) return ("utf8mb4", made ?? "utf8mb4_general_ci");
        if (made.StartsWith("utf8mb3_", StringComparison.Ordinal) || made.StartsWith("utf8_", StringComparison.Ordinal)) return (null, "utf8_" + made[(made.IndexOf('_') + 1)..]);
        return (null, null);   // another character set (latin1): Drupal's own default, no collation named
    }

    /// <summary>
    /// Installs with the platform's own drush; a Drupal 7 codebase has none (drush for it was never part of the code),
    /// so without one Drupal 7's own installer runs, as drush ran it.
    /// </summary>
    public InstallResult Install(SiteJob job)
    {
        var drush = job.Full("vendor/bin/drush");
        if (seven && !job.Transport.FileExists(drush)) return InstallSeven(job);
        if (!job.Transport.FileExists(drush))
            throw ErrorCatalog.StepFailed(ErrorIds.InstallerMissing, $"Installing {job.Site.Uri} with drush", $"there is no drush in {job.Root}/vendor/bin",
                "Add it to the platform's codebase (composer require drush/drush), verify the platform, and install again.");
        using var shell = SiteShell.Open(job.Transport, job.Server, job.Ctx, job.Owner);
        var result = shell.Run(drush,
        [
            "site:install", job.Site.Profile, "--yes", $"--sites-subdir={job.Site.Uri}", $"--site-name={job.Title ?? job.Site.Uri}",
            $"--locale={job.Site.Language}", "--account-name=admin", $"--account-mail={job.AdminEmail ?? "admin@" + job.Site.Uri}",
        ], job.Root, job.DbEnvironment(), TimeSpan.FromMinutes(20));
        // drush prints the generated admin password; it never went on a command line.
        var password = PasswordLine().Match(result.StandardOutput + result.StandardError) is { Success: true } p ? p.Groups[1].Value.Trim() : null;
        job.Ctx.Secret(password);
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.InstallerFailed, $"Installing {job.Site.Uri} with drush", job.Ctx.Masker.Apply(result.Summary()), "See the drush output above.");
        // An exit code proves nothing: Drupal itself must say it boots on its database.
        var status = shell.Run(drush, ["status", "--field=bootstrap", $"--uri={job.Site.Uri}"], job.Root, job.DbEnvironment(), TimeSpan.FromMinutes(2));
        if (!status.Succeeded || !status.StandardOutput.Contains("Successful", StringComparison.Ordinal))
            throw ErrorCatalog.StepFailed(ErrorIds.InstallNotConfirmed, $"Installing {job.Site.Uri} with drush", $"drush site:install ended, but drush status says Drupal does not boot ({job.Ctx.Masker.Apply(status.Summary())})",
                "Check the database and the drush output, then install again.");
        return new InstallResult("admin", password, job.SiteUrl + "/user/login");
    }

    /// <summary>
    /// Drupal 7's installer (install_drupal, non-interactive) from a script of the module's, as the script user; its
    /// settings come on its input, the admin's password among them. The settings.php is written already, so the
    /// installer takes its database from there and skips its database form.
    /// </summary>
    InstallResult InstallSeven(SiteJob job)
    {
        var password = IO.Passwords.New(20);
        job.Ctx.Secret(password);
        var email = job.AdminEmail ?? $"admin@{job.Site.Uri}";
        var input = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            root = job.Root, uri = job.Site.Uri, server = job.DbEnvironment(),
            profile = job.Site.Profile, locale = job.Site.Language,
            title = job.Title ?? job.Site.Uri, admin_user = "admin", admin_email = email, admin_password = password,
        });
        using var shell = SiteShell.Open(job.Transport, job.Server, job.Ctx, job.Owner);
        var script = shell.SecretFile("drupal7-install.php", Templates.TemplateRenderer.Script("drupal7-install.php"));
        var result = shell.Run("php", [script], job.Root, new Dictionary<string, string>(), TimeSpan.FromMinutes(20), input);
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.InstallerFailed, $"Installing {job.Site.Uri} with Drupal 7's installer", job.Ctx.Masker.Apply(InstallerOutput.Text(result)),
                $"Check the profile ({job.Site.Profile}) and language ({job.Site.Language}), and that PHP's CLI has the database's PDO driver, then install again.");
        if (!InstallerOutput.Confirmed(result.StandardOutput))
            throw ErrorCatalog.StepFailed(ErrorIds.InstallNotConfirmed, $"Installing {job.Site.Uri} with Drupal 7's installer", $"Drupal did not record its install as done: {job.Ctx.Masker.Apply(InstallerOutput.Text(result))}",
                "Check the database and the installer's output, then install again.");
        return new InstallResult("admin", password, job.SiteUrl + "/user/login");
    }

    public void CheckInstalled(IDbService db, SiteDatabase database)
    {
        var (table, sql) = seven ? ("system", "SELECT COUNT(*) FROM system") : ("config", "SELECT COUNT(*) FROM config WHERE name = 'core.extension'");
        IReadOnlyList<object?[]> rows;
        try { rows = db.Query(database, sql); }
        catch (Exception ex) when (ex is System.Data.Common.DbException)
        {
            throw ErrorCatalog.StepFailed(ErrorIds.ApplicationNotInstalled, $"Checking the Drupal tables in {database.Name}", $"they are not there ({ex.Message})", "Install the site again, or restore its database from a backup.");
        }
        if (rows.Count == 0 || Convert.ToInt64(rows[0][0]) == 0)
            throw ErrorCatalog.StepFailed(ErrorIds.ApplicationNotInstalled, $"Checking the Drupal tables in {database.Name}", $"its {table} table is empty: Drupal is not installed there", "Install the site again, or restore its database from a backup.");
    }

    public PageCheck Check { get; } = new()
    {
        Installers = ["/core/install.php", "/install.php"],
        Errors = ["The website encountered an unexpected error", "PDOException"],
    };

    public IReadOnlyList<AegirPackage> ScanPackages(ITransport transport, string root, string platform)
    {
        var list = new List<AegirPackage>();
        if (!Detect(transport, root, out var coreVersion)) return list;
        list.Add(new AegirPackage { Name = "drupal", Title = "Drupal core", Type = "core", Version = coreVersion, Path = ".", Platform = platform });
        foreach (var file in InfoFiles(transport, root))
        {
            var text = transport.ReadFile(file) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "";
            var fields = seven ? ReadInfo(text) : ReadInfoYml(text);
            var name = Path.GetFileName(file)[..^(seven ? ".info".Length : ".info.yml".Length)];
            var rel = Path.GetRelativePath(root, file);
            var type = fields.GetValueOrDefault("type") ?? TypeFromPath(rel);
            if (fields.GetValueOrDefault("hidden") == "true" || type is "theme_engine") continue;
            var version = fields.GetValueOrDefault("version");
            if (version is null or "VERSION" && ShippedWithCore(rel)) version = coreVersion;
            list.Add(new AegirPackage
            {
                Name = name, Title = fields.GetValueOrDefault("name"), Type = type, Version = version, Path = Path.GetDirectoryName(rel)!, Platform = platform,
                Schema = type is "module" or "profile" ? NewestUpdate(transport, Path.Combine(Path.GetDirectoryName(file)!, name + ".install"), name) : null,
            });
        }
        return list.OrderBy(p => p.Type).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    IEnumerable<string> InfoFiles(ITransport transport, string root)
    {
        var pattern = seven ? "*.info" : "*.info.yml";
        foreach (var top in new[] { "core", "modules", "themes", "profiles", "sites" })
        {
            foreach (var file in transport.FindFiles(Path.Combine(root, top), pattern, 12))
            {
                var rel = Path.GetRelativePath(root, file);
                if (rel.Contains("/tests/") || rel.Contains("/node_modules/") || rel.Contains("/vendor/") || rel.Contains("/files/")) continue;
                yield return file;
            }
        }
    }

    /// <summary>Core's own packages carry no version of their own (Drupal 8+: under core/; Drupal 7: the top-level folders).</summary>
    bool ShippedWithCore(string rel) => seven
        ? rel.Split('/')[0] is "modules" or "themes" or "profiles" && !rel.Contains("/contrib/") && !rel.Contains("/custom/")
        : rel.StartsWith("core/", StringComparison.Ordinal);

    static string TypeFromPath(string rel) => rel.Contains("themes/") ? "theme" : rel.Contains("profiles/") && rel.Split('/').Length <= 4 ? "profile" : "module";

    static Dictionary<string, string> ReadInfoYml(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var map = Yaml.YamlReader.ReadMapping(text);
            foreach (var (key, node) in map.Entries)
                if (node is Yaml.YamlScalar { Value: { } v }) fields[key] = v.Trim('\'', '"');
        }
        catch (Yaml.YamlFormatException) { }
        return fields;
    }

    static Dictionary<string, string> ReadInfo(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in InfoLine().Matches(text))
            fields.TryAdd(m.Groups[1].Value, m.Groups[2].Value.Trim().Trim('"', '\''));
        return fields;
    }

    public IReadOnlySet<string>? EnabledPackages(IDbService db, SiteDatabase database)
    {
        var enabled = new HashSet<string>(StringComparer.Ordinal) { "drupal" };
        if (seven)
        {
            foreach (var row in db.Query(database, "SELECT name FROM system WHERE status = 1")) enabled.Add((string)row[0]!);
            return enabled;
        }
        var rows = db.Query(database, "SELECT data FROM config WHERE collection = '' AND name = 'core.extension'");
        if (rows.Count == 0) return enabled;
        var data = rows[0][0] is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : rows[0][0] as string ?? "";
        foreach (Match m in ExtensionEntry().Matches(data)) enabled.Add(m.Groups[1].Value);
        return enabled;
    }

    /// <summary>The highest N of the module's hook_update_N functions in its .install file; null when it has none.</summary>
    static int? NewestUpdate(ITransport transport, string installFile, string module)
    {
        if (transport.ReadFile(installFile) is not { } bytes) return null;
        int? newest = null;
        foreach (Match m in UpdateFunction().Matches(System.Text.Encoding.UTF8.GetString(bytes)))
            if (m.Groups[1].Value == module && int.TryParse(m.Groups[2].Value, out var n) && n > (newest ?? -1)) newest = n;
        return newest;
    }

    /// <summary>
    /// The cron URL with the key Drupal keeps in its own tables (PHP-serialized): /cron/&lt;key&gt; in Drupal 8 and
    /// later (state system.cron_key), /cron.php?cron_key=&lt;key&gt; in Drupal 7 (variable cron_key).
    /// </summary>
    public string? CronPath(IDbService db, SiteDatabase database)
    {
        var sql = seven ? "SELECT value FROM variable WHERE name = 'cron_key'" : "SELECT value FROM key_value WHERE collection = 'state' AND name = 'system.cron_key'";
        IReadOnlyList<object?[]> rows;
        try { rows = db.Query(database, sql); }
        catch (Exception ex) when (ex is AegirException or System.Data.Common.DbException) { return null; }
        if (rows is not [[var value, ..], ..]) return null;
        var text = value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : value?.ToString() ?? "";
        if (SerializedString().Match(text) is not { Success: true } m || m.Groups[1].Value.Length == 0) return null;
        var key = Uri.EscapeDataString(m.Groups[1].Value);
        return seven ? $"/cron.php?cron_key={key}" : $"/cron/{key}";
    }

    [GeneratedRegex(@"^s:\d+:""([^""]*)"";$")] private static partial Regex SerializedString();

    /// <summary>Users (uid 0 is the anonymous one), those who came in the last 30 days, published nodes, published comments.</summary>
    public SiteCounts? Counts(IDbService db, SiteDatabase database)
    {
        var since = DateTimeOffset.UtcNow.AddDays(-30).ToUnixTimeSeconds();
        var (users, nodes, comments) = seven ? ("users", "node", "comment") : ("users_field_data", "node_field_data", "comment_field_data");
        return new SiteCounts(
            SiteCounts.Scalar(db, database, $"SELECT COUNT(DISTINCT uid) FROM {users} WHERE uid > 0"),
            SiteCounts.Scalar(db, database, $"SELECT COUNT(DISTINCT uid) FROM {users} WHERE uid > 0 AND access >= {since}"),
            SiteCounts.Scalar(db, database, $"SELECT COUNT(DISTINCT nid) FROM {nodes} WHERE status = 1"),
            SiteCounts.Scalar(db, database, $"SELECT COUNT(DISTINCT cid) FROM {comments} WHERE status = 1"));
    }

    public int BaseSchema => seven ? 0 : 8000;

    public IReadOnlyDictionary<string, int>? SchemaVersions(IDbService db, SiteDatabase database)
    {
        var schemas = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            if (seven)
                foreach (var row in db.Query(database, "SELECT name, schema_version FROM system WHERE status = 1 AND type = 'module'"))
                    schemas[(string)row[0]!] = Convert.ToInt32(row[1], System.Globalization.CultureInfo.InvariantCulture);
            else
                foreach (var row in db.Query(database, "SELECT name, value FROM key_value WHERE collection = 'system.schema'"))
                {
                    var value = row[1] is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : row[1] as string ?? "";
                    if (SerializedInt().Match(value) is { Success: true } m) schemas[(string)row[0]!] = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                }
        }
        catch (System.Data.Common.DbException) { return null; }   // no such table: a site this kind cannot read schemas of
        return schemas;
    }

    public IReadOnlyList<string> FoundSites(ITransport transport, string root)
        => transport.List(Path.Combine(root, "sites"))
            .Where(name => name is not ("default" or "all" or "simpletest") && name.Contains('.') && transport.FileExists(Path.Combine(root, "sites", name, "settings.php")))
            .Where(name => { try { Contexts.Validate.SiteHost("Uri", name); return true; } catch (AegirException) { return false; } })
            .ToList();

    /// <summary>The default connection of a settings.php written by hand (Drupal 7's $databases array has the same keys).</summary>
    /// <summary>The site's default connection as its settings.php assigns it last, read as PHP reads it: the commented examples of a stock file are no code.</summary>
    public ImportedDatabase? ReadDatabaseSettings(ITransport transport, string root, string uri)
    {
        if (transport.ReadFile(Path.Combine(root, "sites", uri, "settings.php")) is not { } bytes) return null;
        if (PhpSource.LastArray(System.Text.Encoding.UTF8.GetString(bytes), DatabasesAssignment(), "database") is not { } keys || keys["database"].Length == 0) return null;
        string? Key(string key) => keys.TryGetValue(key, out var v) ? v : null;
        // No port (Drupal's installer writes 'port' => '') is 0: the driver's own, as the import matches it.
        var port = int.TryParse(Key("port"), out var p) && p > 0 ? p : 0;
        return new ImportedDatabase(keys["database"], Key("host") ?? "localhost", port, Key("driver") ?? "mysql", Key("username"), Key("password"));
    }

    /// <summary>$databases['default']['default'] = [...] or array(...), or the whole $databases = [...] (Drupal 7's installer writes that).</summary>
    [GeneratedRegex(@"\$databases\s*(?:\[\s*['""]default['""]\s*\]\s*\[\s*['""]default['""]\s*\]\s*)?=\s*(?:array\s*\(|\[)", RegexOptions.IgnoreCase)]
    private static partial Regex DatabasesAssignment();

    [GeneratedRegex(@"function\s+([a-z0-9_]+?)_update_(\d+)\s*\(")] private static partial Regex UpdateFunction();
    [GeneratedRegex(@"^i:(-?\d+);$")] private static partial Regex SerializedInt();
    [GeneratedRegex(@"const VERSION = '([^']+)'")] private static partial Regex Version8();
    [GeneratedRegex(@"define\('VERSION', '([^']+)'\)")] private static partial Regex Version7();
    /// <summary>The salt a settings file had (ours, or Drupal 7's and 8's own from a site taken in): kept, so sessions and one-time links stay good.</summary>
    [GeneratedRegex(@"^\s*(?:\$settings\['hash_salt'\]|\$drupal_hash_salt)\s*=\s*'([A-Za-z0-9_+/=.-]{16,128})'\s*;", RegexOptions.Multiline)] private static partial Regex HashSalt();
    [GeneratedRegex(@"(?:User password|Password)\s*:\s*(\S+)")] private static partial Regex PasswordLine();
    [GeneratedRegex(@"^\s*([a-z_]+)\s*=\s*(.*)$", RegexOptions.Multiline)] private static partial Regex InfoLine();
    [GeneratedRegex(@"s:\d+:""([a-z0-9_]+)"";i:-?\d+;")] private static partial Regex ExtensionEntry();
}
