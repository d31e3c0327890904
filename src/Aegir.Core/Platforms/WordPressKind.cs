using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aegir.Core.Errors;
using Aegir.Core.Services;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// WordPress: one wp-config.php for the whole platform that reads each site's cloaked credentials, each
/// site with its own database and its uploads in wp-content/uploads/sites/&lt;uri&gt;.
/// </summary>
public sealed partial class WordPressKind : IPlatformKind
{
    public string Name => "wordpress";

    public bool Detect(ITransport transport, string root, out string? version)
    {
        version = null;
        if (transport.ReadFile(Path.Combine(root, "wp-includes", "version.php")) is not { } bytes) return false;
        var m = VersionLine().Match(System.Text.Encoding.UTF8.GetString(bytes));
        version = m.Success ? m.Groups[1].Value : null;
        return true;
    }

    public string? FilesPath(string uri) => $"wp-content/uploads/sites/{uri}";
    public string? PrivatePath(string uri) => null;
    public IReadOnlyList<string> WritablePaths { get; } = ["wp-content/uploads"];

    public IReadOnlyList<SiteDirectory> SiteDirectories(string uri) =>
    [
        new("wp-content/uploads", Modes.Dir755, false),
        new("wp-content/uploads/sites", Modes.Dir755, false),
        new($"wp-content/uploads/sites/{uri}", Modes.Dir2770, true),
    ];

    public IReadOnlyList<string> SiteRoots(string uri) => [$"wp-content/uploads/sites/{uri}"];
    public IReadOnlyList<string> SharedFolders => [];
    public string FrontController => "index.php";
    public IReadOnlyList<string> DeniedPaths(string uri) => [.. AppManifest.AlwaysDenied, "/wp-config.php"];

    public string? PlatformSettingsPath => "wp-config.php";

    public string? SiteSettingsPath(string uri) => null;

    public bool HasInstaller => true;
    public IReadOnlyList<string>? CronCommand => ["php", "wp-cron.php"];

    public void PreparePlatform(PlatformJob job)
        => job.WriteFile($"Writing wp-config.php {Modes.Octal(Modes.File0440)} {job.Owner}:{job.WebGroup} (no credentials: each site's come from its vhost)",
            PlatformSettingsPath!, Modes.File0440, existing => job.Templates.Render("wordpress-config.php.sbn", new Dictionary<string, object?>
            {
                ["platform"] = job.Platform.Name,
                ["salts"] = Salts(existing),
            }));

    /// <summary>The salts of an existing file (so logins survive a verify), or new ones.</summary>
    static string Salts(byte[]? existing)
    {
        if (existing is not null)
        {
            var old = SaltLine().Matches(System.Text.Encoding.UTF8.GetString(existing)).Select(m => m.Value).ToList();
            if (old.Count == 8) return string.Join('\n', old);
        }
        var names = new[] { "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT" };
        return string.Join('\n', names.Select(n => $"define('{n}', '{Convert.ToHexString(RandomNumberGenerator.GetBytes(32))}');"));
    }

    public void WriteSiteSettings(SiteJob job) { }   // the platform's wp-config.php serves every site

    public InstallResult Install(SiteJob job)
    {
        var password = Local.Passwords.New(20);
        job.Ctx.Secret(password);
        var input = JsonSerializer.SerializeToUtf8Bytes(new
        {
            root = job.Root,
            server = job.DbEnvironment(),
            title = job.Title ?? job.Site.Uri,
            admin_user = "admin",
            admin_email = job.AdminEmail ?? $"admin@{job.Site.Uri}",
            admin_password = password,
            language = "",
        });
        var script = $"/tmp/aegir-wp-install-{Guid.NewGuid():N}.php";   // on the web server, which may not be this machine
        job.Transport.WriteFile(script, System.Text.Encoding.UTF8.GetBytes(TemplateRenderer.Script("wordpress-install.php")), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            var result = job.Transport.Run(new CommandSpec("php", [script]) { StandardInput = input, WorkingDirectory = job.Root, Timeout = TimeSpan.FromMinutes(5) });
            if (!result.Succeeded)
                throw ErrorCatalog.StepFailed("InstallerFailed", "Running the WordPress installer", job.Ctx.Masker.Apply(result.Summary()), "Check that php-mysql is installed and the database is reachable from PHP.");
            // WordPress exits 0 even when it could not reach its database: only its own word that it is installed counts.
            if (!Confirmed(result.StandardOutput))
                throw ErrorCatalog.StepFailed("InstallNotConfirmed", "Running the WordPress installer", $"WordPress did not say the site is installed: {job.Ctx.Masker.Apply(Text(result))}",
                    "Check that the database answers and php-mysql is installed, then install again.");
        }
        finally { job.Transport.Delete(script); }
        return new InstallResult("admin", password, job.SiteUrl + "/wp-login.php");
    }

    /// <summary>The installer's last line is JSON with "installed": true when is_blog_installed() said so afterwards.</summary>
    static bool Confirmed(string output)
    {
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (last is null) return false;
        try { return JsonDocument.Parse(last).RootElement.TryGetProperty("installed", out var v) && v.ValueKind == JsonValueKind.True; }
        catch (JsonException) { return false; }
    }

    static string Text(CommandResult result)
    {
        var text = Regex.Replace(result.StandardOutput + " " + result.StandardError, "(?is)<(style|script|head)\\b.*?</\\1>", " ");
        text = Regex.Replace(text, "<[^>]*>", " ");
        text = Regex.Replace(text, @"\s+", " ").Trim();
        return text.Length == 0 ? "it printed nothing" : text.Length > 300 ? text[..300] + "…" : text;
    }

    public void CheckInstalled(IDbService db, string database)
    {
        IReadOnlyList<object?[]> rows;
        try { rows = db.Query(database, "SELECT COUNT(*) FROM wp_options WHERE option_name = 'siteurl'"); }
        catch (Exception ex) when (ex is System.Data.Common.DbException)
        {
            throw ErrorCatalog.StepFailed("ApplicationNotInstalled", $"Checking the WordPress tables in {database}", $"they are not there ({ex.Message})", "Install the site again, or restore its database from a backup.");
        }
        if (rows.Count == 0 || Convert.ToInt64(rows[0][0]) == 0)
            throw ErrorCatalog.StepFailed("ApplicationNotInstalled", $"Checking the WordPress tables in {database}", "wp_options has no siteurl: WordPress is not installed there", "Install the site again, or restore its database from a backup.");
    }

    public string? Problem(HttpAnswer answer)
        => SitePages.Problem(answer, ["/wp-admin/install.php", "/wp-admin/setup-config.php"], ["Error establishing a database connection", "There has been a critical error"]);

    public IReadOnlyList<AegirPackage> ScanPackages(ITransport transport, string root, string platform)
    {
        var list = new List<AegirPackage>();
        if (Detect(transport, root, out var version))
            list.Add(new AegirPackage { Name = "wordpress", Title = "WordPress", Type = "core", Version = version, Path = ".", Platform = platform });
        var plugins = Path.Combine(root, "wp-content", "plugins");
        if (transport.DirectoryExists(plugins))
        {
            // Plugins are PHP files in the plugins folder or one level below it.
            foreach (var file in transport.FindFiles(plugins, "*.php", 1))
            {
                var headers = Headers(transport, file);
                if (!headers.TryGetValue("Plugin Name", out var title)) continue;
                var rel = Path.GetRelativePath(plugins, file);
                list.Add(new AegirPackage
                {
                    Name = rel.Contains('/') ? rel[..rel.IndexOf('/')] : Path.GetFileNameWithoutExtension(rel),
                    Title = title, Type = "plugin", Version = headers.GetValueOrDefault("Version"),
                    Path = Path.GetRelativePath(root, file), Platform = platform,
                });
            }
        }
        var themes = Path.Combine(root, "wp-content", "themes");
        foreach (var name in transport.List(themes))
        {
            var dir = Path.Combine(themes, name);
            var style = Path.Combine(dir, "style.css");
            if (transport.Kind(dir) != PathKind.Directory || !transport.FileExists(style)) continue;
            var headers = Headers(transport, style);
            if (!headers.TryGetValue("Theme Name", out var title)) continue;
            list.Add(new AegirPackage
            {
                Name = name, Title = title, Type = "theme", Version = headers.GetValueOrDefault("Version"),
                Path = Path.GetRelativePath(root, dir), Platform = platform,
            });
        }
        return list.OrderBy(p => p.Type).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    public IReadOnlySet<string>? EnabledPackages(IDbService db, string database)
    {
        var rows = db.Query(database, "SELECT option_name, option_value FROM wp_options WHERE option_name IN ('active_plugins', 'template', 'stylesheet')");
        var enabled = new HashSet<string>(StringComparer.Ordinal) { "wordpress" };
        foreach (var row in rows)
        {
            var value = row[1] as string ?? "";
            if ((string?)row[0] == "active_plugins")
                foreach (Match m in SerializedString().Matches(value))
                {
                    var path = m.Groups[1].Value;
                    enabled.Add(path.Contains('/') ? path[..path.IndexOf('/')] : Path.GetFileNameWithoutExtension(path));
                }
            else enabled.Add(value);
        }
        return enabled;
    }

    /// <summary>WordPress file headers ("Plugin Name: x") from the first 8 KB, as WordPress reads them.</summary>
    static Dictionary<string, string> Headers(ITransport transport, string file)
    {
        var bytes = transport.ReadFile(file) ?? [];
        var text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 8192));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in HeaderLine().Matches(text))
            headers.TryAdd(m.Groups[1].Value.Trim(), m.Groups[2].Value.Trim());
        return headers;
    }

    [GeneratedRegex(@"\$wp_version\s*=\s*'([^']+)'")] private static partial Regex VersionLine();
    [GeneratedRegex(@"^define\('(AUTH|SECURE_AUTH|LOGGED_IN|NONCE)_(KEY|SALT)', '[0-9A-F]{64}'\);$", RegexOptions.Multiline)] private static partial Regex SaltLine();
    [GeneratedRegex(@"^[\s/*#@]*(Plugin Name|Theme Name|Version|Description|Author)\s*:(.*)$", RegexOptions.Multiline)] private static partial Regex HeaderLine();
    [GeneratedRegex(@"s:\d+:""([^""]+)"";")] private static partial Regex SerializedString();

    /// <summary>WordPress keeps its address in siteurl and home, and writes it into posts: all follow the new uri, uploads included.</summary>
    public string? AddressChange(IDbService db, string database, string fromUri, string toUri, string toUrl)
    {
        var rows = db.Query(database, "SELECT option_value FROM wp_options WHERE option_name = 'siteurl'");
        var fromUrl = rows.Count > 0 ? rows[0][0]?.ToString()?.TrimEnd('/') : null;
        static string Q(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "''") + "'";
        var to = toUrl.TrimEnd('/');
        var sql = new System.Text.StringBuilder();
        sql.Append($"UPDATE wp_options SET option_value = {Q(to)} WHERE option_name IN ('siteurl', 'home');\n");
        if (fromUrl is not null && fromUrl != to)
            sql.Append($"UPDATE wp_posts SET guid = REPLACE(guid, {Q(fromUrl)}, {Q(to)}), post_content = REPLACE(post_content, {Q(fromUrl)}, {Q(to)});\n");
        sql.Append($"UPDATE wp_posts SET guid = REPLACE(guid, {Q($"/uploads/sites/{fromUri}/")}, {Q($"/uploads/sites/{toUri}/")}), post_content = REPLACE(post_content, {Q($"/uploads/sites/{fromUri}/")}, {Q($"/uploads/sites/{toUri}/")});\n");
        sql.Append($"UPDATE wp_postmeta SET meta_value = REPLACE(meta_value, {Q($"sites/{fromUri}/")}, {Q($"sites/{toUri}/")}) WHERE meta_key = '_wp_attached_file';\n");
        return sql.ToString();
    }
}
