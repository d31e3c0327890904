using Aegir.Core.Contexts;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Drift;

/// <summary>
/// A platform against its last verify, on every machine that serves it: its root there, its include and shared
/// settings as verify would write them now, its code not writable by the web server, and (on the first machine) its
/// files against the checksums and its packages against the list that verify kept. Reads only.
/// </summary>
internal static class PlatformDriftCheck
{
    public static void Check(OperationEnvironment env, AegirPlatform platform, DriftFindings found)
    {
        if (platform.Kind is null)
        {
            found.Add(DriftKind.PlatformFile, platform.Root, "a verified platform", "never verified");
            return;
        }
        var hosting = env.Server(platform.WebServerName, "WebServer");
        var members = env.Members(hosting);
        var kind = env.KindOf(platform, hosting);
        var on = hosting.IsCluster;
        foreach (var member in members)
        {
            var transport = env.Connect(member);
            var where = on ? $" on @{member.Name}" : "";
            if (transport.Kind(platform.Root) != PathKind.Directory)
            {
                found.Add(DriftKind.PlatformFile, platform.Root + where, "the platform's code", "nothing there", $"Put the code back at {platform.Root}, then Invoke-AegirVerify {found.Target}");
                continue;
            }
            var http = env.Http(member);
            if (http.RenderPlatform(platform) is { } include)
                found.Text(DriftKind.Include, transport, http.PlatformConfigPath(platform.Name), include, http.PlatformConfigPath(platform.Name) + where);
            if (kind.PlatformSettingsPath is { } settings)
            {
                var full = Path.Combine(platform.Root, settings);
                var job = new PlatformJob { Platform = platform, Server = member, Transport = transport, Templates = env.Templates, Owner = env.Owner(member), WebGroup = http.WebGroup };
                if (kind.RenderPlatformSettings(job, transport.ReadFile(full)) is { } text)
                {
                    found.Text(DriftKind.Settings, transport, full, text, full + where);
                    found.Owned(transport, full, full + where, job.Owner, job.WebGroup, job.SharedFileMode);
                }
            }
            // What verify takes away: group and other write on the code, outside the web server's folders (the sites' own
            // folders are their verify's, which gives some of them group write).
            var siteOwn = PlatformSums.SiteOwn(kind);
            foreach (var line in System.Text.Encoding.UTF8.GetString(new FileService(transport).UnprotectedModes(platform.Root, kind.WritablePaths)).Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var space = line.IndexOf(' ');
                if (space <= 0) continue;
                var path = line[(space + 1)..];
                if (siteOwn.IsMatch(Path.GetRelativePath(platform.Root, path))) continue;
                found.Add(DriftKind.Mode, path + where, "not writable by group or others", "mode " + line[..space].PadLeft(4, '0'));
            }
        }
        var first = env.Connect(members[0]);
        if (first.Kind(platform.Root) != PathKind.Directory) return;
        PlatformGit.Check(first, platform.Root, platform.Commit, kind, found, env.Owner(members[0]));
        Code(env, platform, kind, first, found);
        Packages(env, platform, kind, first, found);
    }

    /// <summary>Each file of the code against the checksum its last verify kept.</summary>
    static void Code(OperationEnvironment env, AegirPlatform platform, IPlatformKind kind, ITransport transport, DriftFindings found)
    {
        var baseline = new PlatformBaseline(env.Home);
        if (baseline.Sums(platform.Name) is not { } then)
        {
            found.Add(DriftKind.PlatformFile, baseline.SumsPath(platform.Name), "the checksums its last verify kept", "none (verified before they were kept)");
            return;
        }
        var fix = $"Put the code back as it was, or Invoke-AegirVerify {found.Target} to take it as it is now";
        foreach (var (path, was, now) in PlatformSums.Compare(then, PlatformSums.Compute(transport, platform.Root, kind)))
            if (!found.Has(DriftKind.PlatformFile, Path.Combine(platform.Root, path)))   // git told it already
                found.Add(DriftKind.PlatformFile, Path.Combine(platform.Root, path),
                was is null ? "no file" : $"sha256 {was[..16]}…", now is null ? "no file" : was is null ? $"a file added (sha256 {now[..16]}…)" : $"sha256 {now[..16]}… (changed)", fix);
    }

    /// <summary>The packages found now against those its last verify found.</summary>
    static void Packages(OperationEnvironment env, AegirPlatform platform, IPlatformKind kind, ITransport transport, DriftFindings found)
    {
        if (new PlatformBaseline(env.Home).Packages(platform.Name) is not { } then) return;   // told with the checksums
        var now = kind.ScanPackages(transport, platform.Root, platform.Name).Select(p => new PlatformBaseline.Package(p.Type, p.Name, p.Version, p.Path)).ToList();
        static string Shown(PlatformBaseline.Package? p) => p is null ? "none" : $"{p.Type} {p.Name} {p.Version ?? "(no version)"}";
        foreach (var (name, path, was, isNow) in PlatformBaseline.Compare(then, now))
            found.Add(DriftKind.Package, Path.Combine(platform.Root, path), Shown(was), was is null ? Shown(isNow) + " (added)" : isNow is null ? "none (removed)" : Shown(isNow),
                $"Invoke-AegirVerify {found.Target} to take the packages as they are now (and verify its sites)");
    }
}
