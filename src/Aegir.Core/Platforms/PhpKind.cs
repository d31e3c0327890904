using System.Security.Cryptography;
using System.Text.Json;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services;
using Aegir.Core.Services.Files;
using Aegir.Core.Services.Http;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// Any other PHP application, as its manifest (<c>.aegir.yml</c>) describes it, or with the defaults when it has
/// none: each site gets its database (credentials from the vhost), its own folders and settings file, and the
/// application's install command when it declares one. Without one, no installer is claimed to have run.
/// </summary>
public sealed class PhpKind(AppManifest manifest) : IPlatformKind
{
    public PhpKind() : this(AppManifest.Defaults) { }

    public AppManifest Manifest { get; } = manifest;
    public string Name => "php";
    public string Application => Manifest.Name ?? "php";
    /// <summary>A manifest's install command takes no profile or language.</summary>
    public string Installer(Contexts.AegirSite site) => $"the install command of {Application}";

    public bool Detect(ITransport transport, string root, out string? version)
    {
        version = null;
        return transport.FileExists(Path.Combine(root, AppManifest.FileName)) || transport.FileExists(Path.Combine(root, Manifest.FrontController));
    }

    /// <summary>
    /// The application's version: from the manifest, else printed by its version command (run as the script user of
    /// <paramref name="server"/>), else the version in composer.json; null when none says.
    /// </summary>
    public string? ReadVersion(ITransport transport, string root, Contexts.AegirServer server)
    {
        if (Manifest.Version is { } fixedVersion) return fixedVersion;
        if (Manifest.VersionCommand is { } command)
        {
            using var shell = SiteShell.Open(transport, server);
            var result = shell.Run(command[0], command.Skip(1).ToList(), root, new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
            var line = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            var why = !result.Succeeded ? $"it failed: {result.Summary()}" : line is null ? "it printed nothing"
                : Contexts.Validate.VersionProblem(line) is { } problem ? $"its first line {ErrorCatalog.Show(line)} is no version: {problem}" : null;
            if (why is not null)
                throw ErrorCatalog.ManifestInvalid(Manifest.File!, 0, $"'version_command' ({string.Join(' ', command)}) gave no version: {why}");
            return line;
        }
        if (transport.ReadFile(Path.Combine(root, "composer.json")) is { } composer)
        {
            try
            {
                using var doc = JsonDocument.Parse(composer);
                if (doc.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String && AppManifest.IsVersion(v.GetString()!)) return v.GetString();
            }
            catch (JsonException) { }
        }
        return null;
    }

    /// <summary>
    /// Fails, naming the key, unless every file the manifest names is in the codebase (the settings template a
    /// regular file, never a link): found when the platform is verified, not when a site's database is already made.
    /// </summary>
    public void CheckNamedFiles(ITransport transport, string root)
    {
        foreach (var (key, path) in Manifest.NamedFiles())
        {
            var full = Path.Combine(root, path);
            var kind = transport.Kind(full);
            bool ok = key switch { "settings.template" => kind == PathKind.File, "web_root" => kind == PathKind.Directory, _ => transport.FileExists(full) };
            if (!ok)
                throw ErrorCatalog.ManifestInvalid(Manifest.File!, 0, $"'{key}' names {path}, which is {(kind == PathKind.Symlink && key is "settings.template" or "web_root" ? "a symlink (never followed)" : kind == PathKind.Directory ? "a folder" : key == "web_root" ? "no folder" : "no file")} in {root}");
        }
    }

    public string? FilesPath(string uri) => AppManifest.ForSite(Manifest.SiteFolders[0], uri);
    public string? PrivatePath(string uri) => null;
    public IReadOnlyList<string> WritablePaths => Manifest.SiteFolders.Select(f => f.Replace("{uri}", "*", StringComparison.Ordinal)).Concat(Manifest.SharedFolders).ToList();
    public IReadOnlyList<string> SharedFolders => Manifest.SharedFolders;
    /// <summary>A shared folder among the sites' (files/shared beside files/{uri}) is no site's.</summary>
    public IReadOnlyList<string> SharedCode => Manifest.SharedFolders;
    public string FrontController => Manifest.FrontController;

    /// <summary>The manifest's denied paths, and the site's settings file: it is PHP, but never a page.</summary>
    public IReadOnlyList<string> DeniedPaths(string uri)
        => SiteSettingsPath(uri) is { } settings && Manifest.Served(settings) is { } served ? [.. Manifest.Deny, "/" + served] : Manifest.Deny;

    public string? WebRoot => Manifest.WebRoot;
    public WebTuning Tuning => Manifest.Web;

    /// <summary>The folders of the manifest and the settings file's folder: parents as plain folders, each site folder the web group's.</summary>
    public IReadOnlyList<SiteDirectory> SiteDirectories(string uri)
    {
        var list = new List<SiteDirectory>();
        void Add(string path, bool web)
        {
            var parts = path.Split('/');
            for (int i = 1; i <= parts.Length; i++)
            {
                var prefix = string.Join('/', parts[..i]);
                var last = i == parts.Length;
                var existing = list.FindIndex(d => d.Path == prefix);
                if (existing >= 0)
                {
                    if (last && web) list[existing] = new SiteDirectory(prefix, Modes.Dir2770, true);
                    continue;
                }
                list.Add(last && web ? new SiteDirectory(prefix, Modes.Dir2770, true) : new SiteDirectory(prefix, Modes.Dir755, false));
            }
        }
        if (SiteSettingsPath(uri) is { } settings && settings.Contains('/')) Add(settings[..settings.LastIndexOf('/')], web: false);
        foreach (var folder in Manifest.SiteFolders) Add(AppManifest.ForSite(folder, uri), web: true);
        return list;
    }

    /// <summary>For each path of the site's own, the shortest part of it that holds the uri: what is the site's alone.</summary>
    public IReadOnlyList<string> SiteRoots(string uri)
    {
        var paths = Manifest.SiteFolders.ToList();
        if (Manifest.SettingsPath is { } settings) paths.Add(settings);
        var roots = new List<string>();
        foreach (var path in paths)
        {
            var parts = path.Split('/');
            var i = Array.FindIndex(parts, p => p.Contains("{uri}", StringComparison.Ordinal));
            var root = AppManifest.ForSite(string.Join('/', parts[..(i + 1)]), uri);
            if (!roots.Contains(root)) roots.Add(root);
        }
        return roots;
    }

    public string? PlatformSettingsPath => null;
    public string? SiteSettingsPath(string uri) => Manifest.SettingsPath is { } path ? AppManifest.ForSite(path, uri) : null;
    public bool HasInstaller => Manifest.Install is not null;
    public bool UsesDatabase => Manifest.UsesDatabase;
    public IReadOnlyList<string>? CronCommand => Manifest.Cron;

    public void PreparePlatform(PlatformJob job) { }

    /// <summary>Renders the application's template; it gets no password: those come from the environment (getenv('db_passwd')).</summary>
    public void WriteSiteSettings(SiteJob job)
    {
        if (SiteSettingsPath(job.Site.Uri) is not { } relative) return;
        var text = RenderSiteSettings(job, null)!;
        job.WriteFile($"Writing {relative} {Modes.Octal(Modes.File0440)} {job.Owner}:{job.WebGroup} from {Manifest.SettingsTemplate} (no credentials: they come from the vhost)", relative, Modes.File0440, _ => text);
    }

    public string? RenderSiteSettings(SiteJob job, byte[]? existing)
    {
        if (SiteSettingsPath(job.Site.Uri) is null) return null;
        var template = job.Full(Manifest.SettingsTemplate!);
        if (job.Transport.Kind(template) != PathKind.File)
            throw ErrorCatalog.ManifestInvalid(Manifest.File!, 0, $"'settings.template' names {Manifest.SettingsTemplate}, which is {(job.Transport.Kind(template) == PathKind.Symlink ? "a symlink (never followed)" : "no file")} in {job.Root}");
        var source = System.Text.Encoding.UTF8.GetString(job.Transport.ReadFile(template)!);
        return job.Templates.RenderText(source, template, new Dictionary<string, object?>
        {
            ["uri"] = job.Site.Uri,
            ["url"] = job.SiteUrl,
            ["platform"] = job.Platform.Name,
            ["root"] = job.Root,
            ["files_path"] = FilesPath(job.Site.Uri),
            ["site_folders"] = Manifest.SiteFolders.Select(f => AppManifest.ForSite(f, job.Site.Uri)).ToList(),
            ["db_type"] = job.Database?.Type ?? "",
            ["secret"] = Secret(job),
        });
    }

    /// <summary>
    /// A key for the application's own secrets (sessions, tokens), the same on every verify: derived from the site's
    /// database password, or the key of a site without a database, which only the site's record holds.
    /// </summary>
    static string Secret(SiteJob job)
    {
        var key = job.Database?.Password ?? job.Site.SiteKey ?? throw ErrorCatalog.StepFailed(ErrorIds.SiteNotInstalled, $"Writing the settings of {job.Site.Uri}", "its record holds no key for it", "Install the site first (Install-AegirSite).");
        return Convert.ToHexString(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes("aegir-site-secret:" + job.Site.Uri))).ToLowerInvariant();
    }

    public InstallResult Install(SiteJob job)
    {
        var command = Manifest.Install ?? throw new InvalidOperationException("The application has no install command.");
        var usesPassword = command.Any(w => w.Contains("{admin_password_file}", StringComparison.Ordinal));
        var password = usesPassword ? IO.Passwords.New(20) : null;
        job.Ctx.Secret(password);
        using var shell = SiteShell.Open(job.Transport, job.Server, job.Ctx, job.Owner);
        var install = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["title"] = job.Title ?? job.Site.Uri, ["admin_user"] = "admin", ["admin_email"] = job.AdminEmail ?? $"admin@{job.Site.Uri}",
        };
        if (password is not null) install["admin_password_file"] = shell.SecretFile("admin_password", password);
        var words = shell.Fill(command, job.Database, job.Site.Uri, job.SiteUrl, job.Root, install);
        job.Ctx.Info($"Running the install command of {Manifest.Name ?? "the application"}: {new CommandSpec(words[0], words.Skip(1).ToList())}");
        var result = shell.Run(words[0], words.Skip(1).ToList(), job.Root, job.DbEnvironment(), TimeSpan.FromMinutes(20));
        foreach (var line in Tail(job.Ctx.Masker.Apply(result.StandardOutput + "\n" + result.StandardError), 20)) job.Ctx.Debug(line);
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.InstallerFailed, $"Running the install command of {Manifest.Name ?? "the application"}", job.Ctx.Masker.Apply(result.Summary()),
                $"Fix the cause (the output is in the task's log), or the 'install' command in {Manifest.File}, then install again.");
        // The login the admin is told: the user name, or the email address for an application that logs in by it.
        var login = Manifest.AdminLogin == "email" ? install["admin_email"] : "admin";
        return new InstallResult(usesPassword ? login : null, password, usesPassword ? job.SiteUrl + Manifest.LoginPath : null);
    }

    static IEnumerable<string> Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return all.Skip(Math.Max(0, all.Length - lines));
    }

    /// <summary>
    /// An exit code proves nothing: the tables the manifest names must be there, or (when it names none) the
    /// database must hold some table at all.
    /// </summary>
    public void CheckInstalled(IDbService db, SiteDatabase database)
    {
        var tables = db.Tables(database).ToHashSet(StringComparer.Ordinal);
        var missing = Manifest.InstalledTables.Where(t => !tables.Contains(t)).ToList();
        if (missing.Count > 0)
            throw ErrorCatalog.StepFailed(ErrorIds.ApplicationNotInstalled, $"Checking the {Manifest.Name ?? "application"} tables in {database.Name}", $"{string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not there: the application is not installed",
                "Install the site again, or restore its database from a backup.");
        if (tables.Count == 0)
            throw ErrorCatalog.StepFailed(ErrorIds.ApplicationNotInstalled, $"Checking the {Manifest.Name ?? "application"} tables in {database.Name}", "the database holds no table: the install command made none",
                $"Check the install command in {Manifest.File} (it must install into the database it is given), then install again.");
    }

    public PageCheck Check => Manifest.Check;

    public IReadOnlyList<AegirPackage> ScanPackages(ITransport transport, string root, string platform)
        => Manifest.Name is { } name ? [new AegirPackage { Name = name, Title = name, Type = "core", Version = null, Path = ".", Platform = platform }] : [];

    public IReadOnlySet<string>? EnabledPackages(IDbService db, SiteDatabase database) => null;
}
