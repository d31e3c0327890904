using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Site;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Services.Files;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Drift;

/// <summary>
/// A site against what its verify makes it, on every machine that serves it: its folders (there, with the owners and
/// modes verify sets), what root or another group holds in them, its settings file, its own pool and its vhost (as
/// verify would render them now), its database account's rights, and its certificate. Reads only.
/// </summary>
internal static partial class SiteDriftCheck
{
    /// <summary>Days before its end from which a certificate counts as drift.</summary>
    public const int CertificateDays = 14;

    public static void Check(OperationEnvironment env, AegirSite site, DriftFindings found)
    {
        if (site.Status == SiteStatus.NotInstalled) return;
        var parts = SiteParts.Resolve(site, env);
        foreach (var member in parts.Members) Files(member, found);
        Certificate(parts, found);
        foreach (var member in parts.Members) Config(member, found);
        Grants(parts, found);
    }

    /// <summary>The site's folders and settings file, owners and modes as <see cref="SiteSteps.Folders"/>, Reclaim and Settings set them.</summary>
    static void Files(SiteParts parts, DriftFindings found)
    {
        var transport = parts.Env.Connect(parts.Web);
        var root = parts.Platform.Root;
        string Where(string relative) => Path.Combine(root, relative) + parts.OnMember;
        var gone = new List<string>();
        foreach (var siteRoot in parts.Kind.SiteRoots(parts.Site.Uri))
        {
            if (transport.Kind(Path.Combine(root, siteRoot)) != PathKind.None) continue;
            // A site root that is a file (a php application's settings alone) is the settings check's.
            if (parts.Kind.SiteSettingsPath(parts.Site.Uri) == siteRoot) continue;
            found.Add(DriftKind.SiteFolder, Where(siteRoot), "the site's folder", "nothing there", $"Restore-AegirSite {found.Target} (its folder is gone), or Invoke-AegirVerify {found.Target} for empty folders");
            gone.Add(siteRoot);
        }
        bool UnderGone(string path) => gone.Any(g => path == g || path.StartsWith(g + "/", StringComparison.Ordinal));
        foreach (var (dir, owner, group) in parts.Folders())
        {
            if (UnderGone(dir.Path)) continue;
            var full = Path.Combine(root, dir.Path);
            var kind = transport.Kind(full);
            if (kind == PathKind.None) found.Add(DriftKind.SiteFolder, Where(dir.Path), $"a folder {Modes.Octal(dir.Mode)} {owner}:{group}", "nothing there");
            else if (kind != PathKind.Directory) found.Add(DriftKind.SiteFolder, Where(dir.Path), "a folder", $"a {kind.ToString().ToLowerInvariant()} (never followed)");
            else found.Owned(transport, full, Where(dir.Path), owner, group, dir.Mode);
        }
        if (parts.Kind.SiteSettingsPath(parts.Site.Uri) is { } settings && !UnderGone(settings))
        {
            var full = Path.Combine(root, settings);
            if (transport.Kind(full) == PathKind.File)
                found.Text(DriftKind.Settings, transport, full, parts.Kind.RenderSiteSettings(parts.Job(null), transport.ReadFile(full))!, Where(settings));
            else found.Text(DriftKind.Settings, transport, full, "", Where(settings));
            found.Owned(transport, full, Where(settings), parts.Owner, parts.WebGroup, Modes.File0440);
        }
        Inside(parts, transport, gone, found);
    }

    /// <summary>
    /// What is in the site's folders: nothing of root's (verify gives it to the site's owner), and in the folders the
    /// web server writes, everything in the web group, folders group-writable with setgid, files the owner may write
    /// writable by the group too (as <see cref="FileService.OpenToWebGroup"/> leaves them).
    /// </summary>
    static void Inside(SiteParts parts, ITransport transport, IReadOnlyList<string> gone, DriftFindings found)
    {
        var root = parts.Platform.Root;
        var roots = parts.Kind.SiteRoots(parts.Site.Uri).Where(r => !gone.Contains(r)).Select(r => Path.Combine(root, r))
            .Where(p => transport.Kind(p) is PathKind.Directory or PathKind.File).ToList();
        Links(transport, roots, parts.OnMember, found);
        foreach (var path in Find(transport, roots, ["-user", "0"]))
            found.Add(DriftKind.Owner, path + parts.OnMember, $"{parts.Owner}'s", "root's");
        var writable = SiteSteps.WebWritable(parts).Select(p => Path.Combine(root, p)).Where(p => transport.Kind(p) == PathKind.Directory).ToList();
        if (writable.Count == 0) return;
        var group = parts.WebGroup;
        foreach (var path in Find(transport, writable, ["!", "-type", "l", "!", "-group", group]))
            found.Add(DriftKind.Owner, path + parts.OnMember, $"the web group {group}", "another group");
        foreach (var path in Find(transport, writable, ["-type", "d", "!", "-perm", "-2070"]))
            found.Add(DriftKind.Mode, path + parts.OnMember, "a folder the web group writes (g+rwxs)", $"{Modes.Octal(transport.GetMode(path))}");
        foreach (var path in Find(transport, writable, ["-type", "f", "-perm", "-200", "!", "-perm", "-060"]))
            found.Add(DriftKind.Mode, path + parts.OnMember, "a file the web group writes (g+rw)", $"{Modes.Octal(transport.GetMode(path))}");
    }

    /// <summary>
    /// Symlinks in the site's folders whose target lies outside them (the site's account can make one to /etc/passwd
    /// or another site's settings, and the web server may serve it). Links are read, never followed: a target is
    /// resolved against the link's folder by its text alone.
    /// </summary>
    internal static void Links(ITransport transport, IReadOnlyList<string> roots, string onMember, DriftFindings found)
    {
        if (roots.Count == 0) return;
        var result = transport.Run(new CommandSpec("find", ["-P", .. roots, "-type", "l", "-printf", "%p\\0%l\\0"]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded && result.StandardOutput.Length == 0)
            throw ErrorCatalog.StepFailed(ErrorIds.PermissionsFailed, $"Reading the links in {string.Join(", ", roots)}", result.Summary(), "Check that the folders can be read, then run the command again.");
        var parts = result.StandardOutput.Split('\0');
        bool Inside(string path) => roots.Any(r => path == r || path.StartsWith(r.TrimEnd('/') + "/", StringComparison.Ordinal));
        for (int i = 0; i + 1 < parts.Length; i += 2)
        {
            var (link, target) = (parts[i], parts[i + 1]);
            var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(link)!, target));
            if (!Inside(resolved))
                found.Add(DriftKind.Symlink, link + onMember, "no link out of the site's folders", target, $"Remove the link if it is not yours (rm {link}); verify leaves links alone");
        }
    }

    /// <summary>The paths below <paramref name="paths"/> that find's test matches (never through a link).</summary>
    static IEnumerable<string> Find(ITransport transport, IReadOnlyList<string> paths, IReadOnlyList<string> test)
    {
        if (paths.Count == 0) return [];
        var result = transport.Run(new CommandSpec("find", ["-P", .. paths, .. test, "-printf", "%p\\0"]) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded && result.StandardOutput.Length == 0)
            throw ErrorCatalog.StepFailed(ErrorIds.PermissionsFailed, $"Reading the owners and modes in {string.Join(", ", paths)}", result.Summary(), "Check that the folders can be read, then run the command again.");
        return result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The site's own pool and its vhost, against what verify would write now.</summary>
    static void Config(SiteParts parts, DriftFindings found)
    {
        var transport = parts.Env.Connect(parts.Web);
        if (parts.PerSite)
        {
            var pool = parts.Pools.PoolPath(parts.PoolName);
            found.Text(DriftKind.Pool, transport, pool, parts.PoolFile(), pool + parts.OnMember);
            RunsAsRoot(transport, pool, pool + parts.OnMember, parts.Owner, found);
        }
        string vhost;
        try { vhost = parts.Http.RenderSite(parts.Vhost(parts.Site.Status != SiteStatus.Disabled)); }
        catch (AegirException) when (parts.Site.Https != HttpsMode.Disabled) { return; }   // no certificate to render it with: told as the certificate's drift
        var path = parts.Http.SiteConfigPath(parts.Site.Uri);
        found.Text(DriftKind.Vhost, transport, path, vhost, path + parts.OnMember);
    }

    /// <summary>
    /// A pool that would run the site's PHP as root (user or group root, by name or number) is told on its own, beside
    /// the file's difference: it is the one edit that hands the machine to whoever can change the site's code.
    /// </summary>
    internal static void RunsAsRoot(ITransport transport, string path, string where, string owner, DriftFindings found)
    {
        if (transport.Kind(path) != PathKind.File) return;
        foreach (var line in System.Text.Encoding.UTF8.GetString(transport.ReadFile(path)!).Split('\n'))
            if (RootLine().Match(line) is { Success: true } m)
                found.Add(DriftKind.Pool, where, $"runs as {owner}", $"runs as root ({m.Groups["key"].Value} = {m.Groups["value"].Value})");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?<key>user|group)\s*=\s*[""']?(?<value>root|0)[""']?\s*(?:;.*)?$")]
    private static partial System.Text.RegularExpressions.Regex RootLine();

    /// <summary>The site's database is there, and its account holds what verify grants it and nothing else.</summary>
    static void Grants(SiteParts parts, DriftFindings found)
    {
        if (!parts.HasDatabase || parts.Site.DbName is null || parts.Site.DbPassword is null) return;
        var (server, db) = parts.DatabaseServer;
        var database = parts.Database();
        if (!db.DatabaseExists(database.Name))
        {
            found.Add(DriftKind.Database, $"`{database.Name}` on @{server.Name}", "the site's database", "no such database", $"Restore-AegirSite {found.Target} (its database is gone)");
            return;
        }
        foreach (var d in db.GrantDrift(database.User, database.Name, parts.Env.GrantHosts(parts.Hosting, server)))
            found.Add(DriftKind.Grant, $"{d.Where} (@{server.Name})", d.Expected, d.Found, d.Fix);
    }

    /// <summary>A site served over HTTPS has a certificate in the store that lasts at least <see cref="CertificateDays"/> more days.</summary>
    static void Certificate(SiteParts parts, DriftFindings found)
    {
        var site = parts.Site;
        if (site.Https == HttpsMode.Disabled) return;
        var store = new CertificateStore(parts.Env.Home);
        var where = $"{store.Folder}/{site.Uri}";
        if (store.Get(site.Uri) is not { } cert)
        {
            found.Add(DriftKind.Certificate, where, "a certificate for " + string.Join(", ", site.HostNames()), "none in the store");
            return;
        }
        var fix = $"Update-AegirCertificate {site.Uri} (or Invoke-AegirVerify {site.Uri})";
        if (cert.NotAfter <= DateTime.UtcNow)
            found.Add(DriftKind.Certificate, where, $"a certificate valid {CertificateDays} days more at least", $"expired on {cert.NotAfter:yyyy-MM-dd HH:mm} UTC", fix);
        else if (cert.NotAfter <= DateTime.UtcNow.AddDays(CertificateDays))
            found.Add(DriftKind.Certificate, where, $"a certificate valid {CertificateDays} days more at least", $"expires on {cert.NotAfter:yyyy-MM-dd HH:mm} UTC ({cert.DaysLeft} days)", fix);
        if (CertificateNames.Uncovered(cert.Names, site.HostNames()) is { Count: > 0 } uncovered)
            found.Add(DriftKind.Certificate, where, "a certificate for " + string.Join(", ", site.HostNames()), "one that does not cover " + string.Join(", ", uncovered));
    }
}
