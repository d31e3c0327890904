using System.Text.RegularExpressions;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Http;
using Aegir.Core.Transport;
using Aegir.Core.Yaml;

namespace Aegir.Core.Platforms;

/// <summary>
/// What a PHP application tells the module about itself, in <c>.aegir.yml</c> at its platform's root: its name and
/// version, its front controller, the folders each site gets and those all share, paths never served, a per-site
/// settings file rendered from a template of the application's, and its install and cron commands. Without the file a
/// platform gets the defaults: index.php, one writable folder per site, composer files and vendor/ never served, no
/// installer. Every key is checked when the file is read; a mistake names the file and line.
/// </summary>
public sealed partial class AppManifest
{
    public const string FileName = ".aegir.yml";

    /// <summary>Placeholders a command may use; secrets only as files (the password in a private file, never an argument).</summary>
    public static readonly IReadOnlyList<string> Placeholders =
        ["uri", "url", "title", "admin_user", "admin_email", "admin_password_file", "db_type", "db_host", "db_port", "db_name", "db_user", "db_passwd_file", "root", "tmp"];

    /// <summary>Placeholders a cron command may use: nothing that only an install knows.</summary>
    public static readonly IReadOnlyList<string> CronPlaceholders = Placeholders.Where(p => p is not ("title" or "admin_user" or "admin_email" or "admin_password_file")).ToList();

    /// <summary>Placeholders a build command may use: it runs for the platform, before any site.</summary>
    public static readonly IReadOnlyList<string> BuildPlaceholders = ["root", "tmp"];

    /// <summary>The placeholders of a site's database: an application that keeps none has none of them.</summary>
    public static bool IsDatabasePlaceholder(string name) => name.StartsWith("db_", StringComparison.Ordinal);

    /// <summary>Never served by any platform: what the application's dependencies are, and their code.</summary>
    public static readonly IReadOnlyList<string> AlwaysDenied = ["/composer.json", "/composer.lock", "/vendor/"];

    public string? Name { get; private init; }
    public string? Version { get; private init; }
    public IReadOnlyList<string>? VersionCommand { get; private init; }
    public string FrontController { get; private init; } = "index.php";
    /// <summary>Per-site folders, relative to the root, each with {uri}; the first is the site's files (uploads), where PHP never runs.</summary>
    public IReadOnlyList<string> SiteFolders { get; private init; } = ["files/{uri}"];
    /// <summary>Folders all sites share and the web server writes to.</summary>
    public IReadOnlyList<string> SharedFolders { get; private init; } = [];
    /// <summary>Paths never served, each beginning with '/': a folder when it ends in '/', else a file; dot files never are either.</summary>
    public IReadOnlyList<string> Deny { get; private init; } = AlwaysDenied;
    /// <summary>The per-site settings file (with {uri}) and the application's template for it, both relative to the root.</summary>
    public string? SettingsPath { get; private init; }
    public string? SettingsTemplate { get; private init; }
    public IReadOnlyList<string>? Install { get; private init; }
    public IReadOnlyList<string>? Cron { get; private init; }
    /// <summary>Commands a platform built from git runs in its root after composer, each a list of words ({root} and {tmp} only).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Build { get; private init; } = [];

    /// <summary>
    /// The application's database updates for a site whose code changed (a move to a platform of a newer release):
    /// run after the move's deploy, before the old copy goes. Null: the application has none, and no step runs.
    /// </summary>
    public IReadOnlyList<string>? Update { get; private set; }
    /// <summary>How the installed site's admin logs in: by the user name "admin" (name), or by the admin's email address (email).</summary>
    public string AdminLogin { get; private init; } = "name";
    /// <summary>Where the admin logs in, from the site's root (/ when the application does not say).</summary>
    public string LoginPath { get; private init; } = "/";
    /// <summary>
    /// Whether each site gets a database of its own (the default); false for an application that keeps none
    /// (database: none, as DokuWiki): its sites get no database, user, dump or db_* names.
    /// </summary>
    public bool UsesDatabase { get; private init; } = true;
    /// <summary>Tables an installed site's database holds; what proves an install happened.</summary>
    public IReadOnlyList<string> InstalledTables { get; private init; } = [];
    /// <summary>
    /// The folder the web server serves, relative to the root (public, web); null: the root itself. The code above it
    /// is never served, and may hold the sites' settings and writable folders all the same.
    /// </summary>
    public string? WebRoot { get; private init; }

    /// <summary>A path relative to the root as the web server sees it (from the web root); null when it is not served.</summary>
    public string? Served(string path)
        => WebRoot is null ? path : path.StartsWith(WebRoot + "/", StringComparison.Ordinal) ? path[(WebRoot.Length + 1)..] : null;

    /// <summary>Web server settings every site of the application gets (web: upload_max, timeout, fastcgi_buffer_size, fastcgi_buffers).</summary>
    public WebTuning Web { get; private init; } = WebTuning.None;

    /// <summary>How a site's page proves it works (check: path, status, expect, errors); by default any 2xx page without a PHP error.</summary>
    public PageCheck Check { get; private init; } = new();
    /// <summary>Where the file was read from; null for the defaults.</summary>
    public string? File { get; private init; }

    public static readonly AppManifest Defaults = new();

    /// <summary>Programs that run the script named after them (php maintenance/install.php): that script is a file of the codebase too.</summary>
    static readonly string[] Interpreters = ["php", "sh", "bash", "perl", "python3"];

    /// <summary>
    /// The files of the codebase the manifest names, relative to the root, with the key that names each: the settings
    /// template, and each command's program or script given as a path.
    /// </summary>
    public IEnumerable<(string Key, string Path)> NamedFiles()
    {
        if (WebRoot is not null) yield return ("web_root", WebRoot);
        if (SettingsTemplate is not null) yield return ("settings.template", SettingsTemplate);
        foreach (var (key, words) in new[] { ("install", Install), ("cron", Cron), ("version_command", VersionCommand), ("update", Update) })
        {
            if (words is null) continue;
            var program = words[0];
            if (program.Contains('/') && !program.StartsWith('/')) yield return (key, program);
            else if (Interpreters.Contains(Path.GetFileName(program)) && words.Skip(1).FirstOrDefault() is { } script
                     && !script.StartsWith('-') && !script.StartsWith('/') && !script.Contains('{') && (script.Contains('/') || Path.HasExtension(script)))
                yield return (key, script);
        }
    }

    /// <summary>The manifest of the codebase at <paramref name="root"/>, or the defaults when it has none.</summary>
    public static AppManifest Load(ITransport transport, string root)
    {
        var path = Path.Combine(root, FileName);
        // One request for the usual case: a read refuses a link or a folder itself, and only then is it asked what is there.
        byte[]? bytes;
        try { bytes = transport.ReadFile(path); }
        catch (IOException) when (transport.Kind(path) is not (PathKind.File or PathKind.None))
        {
            throw ErrorCatalog.ManifestInvalid(path, 0, "it is a symlink or a folder, not a file (links are never followed)");
        }
        return bytes is null ? Defaults : Parse(System.Text.Encoding.UTF8.GetString(bytes), path);
    }

    public static AppManifest Parse(string text, string file)
    {
        YamlMap map;
        try { map = YamlReader.ReadMapping(text); }
        catch (YamlFormatException ex)
        {
            // { } start a YAML mapping: a path with a placeholder must be quoted ('images/{uri}').
            var line = text.Split('\n').ElementAtOrDefault(ex.LineNumber - 1) ?? "";
            var hint = line.Contains('{') ? "; a value that holds { } goes in quotes, as in site_folders: ['images/{uri}']" : "";
            throw ErrorCatalog.ManifestInvalid(file, ex.LineNumber, ex.Message + hint);
        }
        var r = new Reader(file, map);
        var settings = r.Map("settings");
        var usesDatabase = r.Scalar("database") switch
        {
            null => true,
            "none" => false,
            var other => throw r.Invalid("database", $"is '{other}': it is none (the application keeps no database, and its sites get none), or left out for a database per site"),
        };
        IReadOnlyList<string> Allowed(IReadOnlyList<string> placeholders) => usesDatabase ? placeholders : placeholders.Where(p => !IsDatabasePlaceholder(p)).ToList();
        var manifest = new AppManifest
        {
            UsesDatabase = usesDatabase,
            File = file,
            Name = r.Text("name", 100),
            Version = r.Scalar("version") is { } v ? CheckVersion(r, "version", v) : null,
            VersionCommand = r.Command("version_command", []),
            WebRoot = r.Scalar("web_root") is { } w ? r.RelativePath("web_root", w.TrimEnd('/'), needsUri: false) : null,
            FrontController = r.Scalar("front_controller") is { } f ? r.RelativePath("front_controller", f, needsUri: false) : "index.php",
            SiteFolders = r.Paths("site_folders", needsUri: true) ?? ["files/{uri}"],
            SharedFolders = r.Paths("shared_folders", needsUri: false) ?? [],
            Deny = AlwaysDenied.Concat(r.List("deny")?.Select(d => r.DenyPath(d)) ?? []).Distinct().ToList(),
            SettingsPath = settings is null ? null : r.RelativePath("settings.path", r.Required(settings, "settings", "path"), needsUri: true),
            SettingsTemplate = settings is null ? null : r.RelativePath("settings.template", r.Required(settings, "settings", "template"), needsUri: false),
            Install = r.Command("install", Allowed(Placeholders)),
            Cron = r.Command("cron", Allowed(CronPlaceholders)),
            Build = r.Commands("build", BuildPlaceholders),
            InstalledTables = r.List("installed_tables")?.Select(t => r.Table(t)).ToList() ?? [],
            AdminLogin = r.Scalar("admin_login") is { } login ? login is "name" or "email" ? login : throw r.Invalid("admin_login", $"is '{login}': it is name (the admin logs in as admin) or email (with the admin's email address)") : "name",
            LoginPath = r.Scalar("login_path") is { } lp ? r.PagePath("login_path", lp) : "/",
            Check = r.Map("check") is { } check ? r.Check(check) : new PageCheck(),
            Web = r.Map("web") is { } webMap ? r.Web(webMap) : WebTuning.None,
        };
        // An update runs for a site that is installed already: the site's placeholders, none of those only an install knows.
        manifest.Update = r.Command("update", Allowed(CronPlaceholders));

        // Below the web root, {uri} needs a folder of its own as the web server sees it too: at the top of the served
        // tree every other name (/index.php) would be another site's folder, answered 404.
        foreach (var (key, path) in manifest.SiteFolders.Select(f => ("site_folders", f)).Concat(manifest.SettingsPath is { } own ? [("settings.path", own)] : []))
            if (manifest.WebRoot is { } top && manifest.Served(path) is { } served && served.Split('/')[0].Contains("{uri}", StringComparison.Ordinal))
                throw r.Invalid(key, $"has '{path}', which the web server serves as /{served}: {{uri}} needs a folder of its own below {top} too ({top}/files/{{uri}}), so no site's name stands at the top of what is served");
        if (manifest.WebRoot is { } web && manifest.SiteFolders.Concat(manifest.SharedFolders).FirstOrDefault(f => Regex.IsMatch(web + "/", "^" + Regex.Escape(f).Replace(@"\{uri}", "[^/]+") + "/")) is { } inside)
            throw ErrorCatalog.ManifestInvalid(file, map.Get("web_root")!.Line, $"'web_root' is {web}, inside {inside}, a folder the web server writes to: the code it serves would be the sites' to change");
        if (manifest.SharedFolders.FirstOrDefault(f => Holds(manifest, f)) is { } over)
            throw ErrorCatalog.ManifestInvalid(file, map.Get("shared_folders")!.Line, $"'shared_folders' has {over}, which holds or lies inside a site's own folder or settings: the web server would write where each site's own are kept (a shared folder goes beside them, as files/shared beside files/{{uri}})");
        if (!usesDatabase && manifest.InstalledTables.Count > 0)
            throw r.Invalid("installed_tables", "names tables, but 'database' is none: the sites have no database to hold them");
        if (manifest.Version is not null && manifest.VersionCommand is not null)
            throw ErrorCatalog.ManifestInvalid(file, map.Get("version_command")!.Line, "give 'version' or 'version_command', not both");
        r.NoUnknownKeys(["name", "version", "version_command", "front_controller", "site_folders", "shared_folders", "deny", "settings", "install", "cron", "database", "installed_tables", "admin_login", "login_path", "check", "web_root", "web", "build", "update"]);
        return manifest;
    }

    /// <summary>Whether a shared folder is above a site's folder or settings file, or inside a site's folder.</summary>
    static bool Holds(AppManifest m, string shared)
    {
        var own = m.SiteFolders.Concat(m.SettingsPath is { } settings ? [settings] : []).ToList();
        bool above = own.Any(p => p.StartsWith(shared + "/", StringComparison.Ordinal));
        bool inside = m.SiteFolders.Any(p => Regex.IsMatch(shared, "^" + Regex.Escape(p).Replace(@"\{uri}", "[^/]+") + "/"));
        return above || inside;
    }

    /// <summary>A path with the site's uri in it.</summary>
    public static string ForSite(string path, string uri) => path.Replace("{uri}", uri, StringComparison.Ordinal);

    /// <summary>A command word with its placeholders filled in.</summary>
    public static string Fill(string word, IReadOnlyDictionary<string, string> values)
        => PlaceholderPattern().Replace(word, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>What a platform's version may look like (as the platform record takes it).</summary>
    public static bool IsVersion(string value) => Contexts.Validate.VersionProblem(value) is null;

    static string CheckVersion(Reader r, string key, string value)
        => Contexts.Validate.VersionProblem(value) is { } why ? throw r.Invalid(key, $"is not a version: {why}") : value;

    /// <summary>Reads and checks one manifest; every problem names the file and line.</summary>
    sealed class Reader(string file, YamlMap map)
    {
        public AegirException Invalid(string key, string problem) => ErrorCatalog.ManifestInvalid(file, Node(key)?.Line ?? 0, $"'{key}' {problem}");

        YamlNode? Node(string key) => key.Contains('.') ? (map.Get(key[..key.IndexOf('.')]) as YamlMap)?.Get(key[(key.IndexOf('.') + 1)..]) : map.Get(key);

        public string? Scalar(string key) => map.Get(key) switch
        {
            null or YamlScalar { Value: null } => null,
            YamlScalar s => s.Value,
            _ => throw Invalid(key, "must be a single value"),
        };

        public string? Text(string key, int max)
            => Scalar(key) is { } v ? v.Length <= max && !v.Any(char.IsControl) ? v : throw Invalid(key, $"must be one line of at most {max} characters") : null;

        public YamlMap? Map(string key) => map.Get(key) switch
        {
            null => null,
            YamlMap m => m,
            _ => throw Invalid(key, "must be a mapping"),
        };

        public string Required(YamlMap parent, string parentKey, string key)
            => (parent.Get(key) as YamlScalar)?.Value ?? throw Invalid(parentKey, $"needs '{key}'");

        public IReadOnlyList<string>? List(string key) => map.Get(key) switch
        {
            null => null,
            YamlSequence seq => seq.Items.Select(i => (i as YamlScalar)?.Value ?? throw Invalid(key, "must be a list of values")).ToList(),
            _ => throw Invalid(key, "must be a list ('- value' lines)"),
        };

        public IReadOnlyList<string>? Paths(string key, bool needsUri) => List(key)?.Select(p => RelativePath(key, p, needsUri)).ToList();

        /// <summary>A path inside the platform: relative, no '..', safe characters, and {uri} where it must be per site.</summary>
        public string RelativePath(string key, string value, bool needsUri)
        {
            var bare = value.Replace("{uri}", "x", StringComparison.Ordinal);
            if (value.Length is 0 or > 200 || value.StartsWith('/') || value.Split('/').Any(s => s is "" or "." or ".." ) || !SafePath().IsMatch(bare))
                throw Invalid(key, $"has '{value}', which is not a path inside the platform (relative, no '..', letters, digits and . _ - / only)");
            if (needsUri != value.Contains("{uri}", StringComparison.Ordinal))
                throw Invalid(key, needsUri ? $"has '{value}', which needs {{uri}}: each site gets its own" : $"has '{value}', which may not hold {{uri}}");
            // Every site's path is the same path with another uri: the web servers keep each site's to its own names by
            // that pattern, so it needs a folder of its own above it (a site named 'vendor' must never own /vendor).
            if (needsUri && (value.Split('/')[0].Contains("{uri}", StringComparison.Ordinal) || value.IndexOf("{uri}", StringComparison.Ordinal) != value.LastIndexOf("{uri}", StringComparison.Ordinal)))
                throw Invalid(key, $"has '{value}', which needs {{uri}} once, below a folder of its own (files/{{uri}}, not {{uri}}/files), so no site's name can be a folder of the code");
            return value;
        }

        /// <summary>A page of the site as a browser asks for it: from its root, a query allowed (/doku.php?do=login).</summary>
        public string PagePath(string key, string value)
            => value.Length is > 0 and <= 200 && value.StartsWith('/') && !value.Contains("..") && !value.Any(c => c is ' ' or '#' or '\\' || char.IsControl(c))
                ? value : throw Invalid(key, $"is '{value}', which is not a page of the site (it begins with '/', no '..', no spaces; a query may follow, as in /doku.php?do=login)");

        public string DenyPath(string value)
            => value.Length is > 1 and <= 200 && value.StartsWith('/') && !value.Contains("..") && SafePath().IsMatch(value[1..].TrimEnd('/') is { Length: > 0 } p ? p : "x")
                ? value : throw Invalid("deny", $"has '{value}', which is not a path from the site's root (it begins with '/', no '..', letters, digits and . _ - / only)");

        /// <summary>check: the page (path), the status it answers, a text it shows (expect), texts that mean it failed (errors).</summary>
        public PageCheck Check(YamlMap check)
        {
            foreach (var (key, node) in check.Entries)
                if (key is not ("path" or "status" or "expect" or "errors"))
                    throw ErrorCatalog.ManifestInvalid(file, node.Line, $"'check.{key}' is not a key of check (known: path, status, expect, errors)");
            string? Value(string key) => check.Get(key) switch
            {
                null or YamlScalar { Value: null } => null,
                YamlScalar { Value: { } v } => v.Length is > 0 and <= 200 && !v.Any(char.IsControl) ? v : throw Invalid($"check.{key}", $"is '{v}', which must be one line of 1 to 200 characters"),
                _ => throw Invalid($"check.{key}", "must be a single value"),
            };
            var path = PagePath("check.path", Value("path") ?? "/");
            int? status = Value("status") is { } s ? int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 200 and <= 599 ? n
                : throw Invalid("check.status", $"is '{s}', which is not an HTTP status (200 to 599)") : null;
            var errors = check.Get("errors") switch
            {
                null => [],
                YamlSequence seq => seq.Items.Select(i => (i as YamlScalar)?.Value is { Length: > 0 and <= 200 } e && !e.Any(char.IsControl) ? e
                    : throw Invalid("check.errors", "must be a list of texts (one line each, at most 200 characters)")).ToList(),
                _ => throw Invalid("check.errors", "must be a list ('- text' lines)"),
            };
            return new PageCheck { Path = path, Status = status, Expect = Value("expect"), Errors = errors };
        }

        /// <summary>web: the vhost settings of <see cref="WebTuning"/>, each a single value checked as it is read.</summary>
        public WebTuning Web(YamlMap web)
            => WebTuning.From(web.Entries.Select(e => new KeyValuePair<string, string>(e.Key, (e.Value as YamlScalar)?.Value ?? "")),
                (key, value, why) => ErrorCatalog.ManifestInvalid(file, web.Get(key)?.Line ?? 0, $"'web.{key}' is '{value}': {why}"));

        public string Table(string value)
            => Regex.IsMatch(value, "^[A-Za-z_][A-Za-z0-9_]{0,63}\\z") ? value : throw Invalid("installed_tables", $"has '{value}', which is not a table name");

        /// <summary>A command as a list of words, never a shell line; placeholders only where allowed, and only known ones.</summary>
        public IReadOnlyList<string>? Command(string key, IReadOnlyList<string> allowed) => List(key) is { } words ? Command(key, words, allowed) : null;

        IReadOnlyList<string> Command(string key, IReadOnlyList<string> words, IReadOnlyList<string> allowed)
        {
            if (words.Count == 0 || string.IsNullOrWhiteSpace(words[0])) throw Invalid(key, "must name a program first");
            foreach (var word in words)
            {
                if (word.Any(char.IsControl)) throw Invalid(key, "may not hold control characters");
                foreach (Match m in PlaceholderPattern().Matches(word))
                    if (!allowed.Contains(m.Groups[1].Value))
                        throw Invalid(key, allowed.Count == 0 ? "may not use placeholders"
                            : IsDatabasePlaceholder(m.Groups[1].Value) && Placeholders.Contains(m.Groups[1].Value) ? $"uses {{{m.Groups[1].Value}}}, but 'database' is none: the sites have no database"
                            : $"uses {{{m.Groups[1].Value}}}, which is not one of {string.Join(", ", allowed.Select(p => "{" + p + "}"))}");
            }
            if (words[0].Contains('{')) throw Invalid(key, "must begin with a program, not a placeholder");
            return words;
        }

        /// <summary>A list of commands, each a list of words as <see cref="Command"/> checks one.</summary>
        public IReadOnlyList<IReadOnlyList<string>> Commands(string key, IReadOnlyList<string> allowed)
        {
            if (map.Get(key) is not { } node) return [];
            if (node is not YamlSequence seq) throw Invalid(key, "must be a list of commands, each a list of words (- [php, bin/build.php])");
            return seq.Items.Select(item => item is YamlSequence words
                ? Command(key, words.Items.Select(i => (i as YamlScalar)?.Value ?? throw Invalid(key, "must be a list of commands, each a list of words")).ToList(), allowed)
                : throw Invalid(key, "must be a list of commands, each a list of words (- [php, bin/build.php])")).ToList();
        }

        public void NoUnknownKeys(IEnumerable<string> known)
        {
            var set = known.ToHashSet(StringComparer.Ordinal);
            foreach (var (key, node) in map.Entries)
                if (!set.Contains(key)) throw ErrorCatalog.ManifestInvalid(file, node.Line, $"'{key}' is not a manifest key (known: {string.Join(", ", set)})");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._/-]+\\z")] private static partial Regex SafePath();
    [GeneratedRegex("\\{([a-z_]+)\\}")] private static partial Regex PlaceholderPattern();
}
