using System.Formats.Tar;
using System.Text.RegularExpressions;
using Aegir.Core.Errors;

namespace Aegir.Core.Backups;

/// <summary>
/// A site backup made by Aegir 3 or BOA: &lt;uri&gt;-YYYYMMDD.HHMMSS[_N].tar.gz, a tar of the site's folder as it
/// was (settings.php, files, private, modules, themes, libraries) with the database dump beside them as
/// database.sql, and Aegir's own drushrc.php. <see cref="Convert"/> rewrites it in this module's layout, so that the
/// deploy of a restore takes it in.
/// </summary>
public static partial class Aegir3Archive
{
    /// <summary>Aegir's record of the site, holding the old server's database password: read for the profile and language, never carried over.</summary>
    const string Drushrc = "drushrc.php";

    /// <summary>What an Aegir 3 backup holds. <paramref name="Prefix"/>: the folder its members are under ("" when the site's folder is the tar's root).</summary>
    public sealed record Contents(string Prefix, long DumpBytes, int Files, long FileBytes, bool HasSettings, string? Profile, string? Language);

    [GeneratedRegex(@"^(?<uri>.+)-(?<when>\d{8}\.\d{6})(_\d+)?\.tar(\.gz)?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\$options\['(?<key>profile|language)'\]\s*=\s*'(?<value>[^']*)'")]
    private static partial Regex DrushrcOption();

    /// <summary>The site's uri from the archive's name as Aegir 3 gives it; null for any other name.</summary>
    public static string? UriOf(string path) => NamePattern().Match(Path.GetFileName(path)) is { Success: true } m ? m.Groups["uri"].Value : null;

    /// <summary>When the backup was taken: the time its name gives (as UTC), else its file's time.</summary>
    public static DateTimeOffset TakenAt(string path)
        => NamePattern().Match(Path.GetFileName(path)) is { Success: true } m
           && DateTime.TryParseExact(m.Groups["when"].Value, "yyyyMMdd.HHmmss", System.Globalization.CultureInfo.InvariantCulture,
               System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var when)
            ? new DateTimeOffset(when, TimeSpan.Zero) : new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);

    /// <summary>True when the archive does not begin with manifest.json: a tar from Aegir 3, not from Backup-AegirSite.</summary>
    public static bool IsOne(string path, Action<string> log)
    {
        using var ours = BackupArchiveReader.TryOpen(path, log);
        return ours is null;
    }

    /// <summary>Reads the archive whole: where its dump is, what it holds, every name checked to stay inside the site's folder.</summary>
    public static Contents Inspect(string path, Action<string> log)
    {
        var names = new List<(string Name, TarEntryType Type, long Length)>();
        string? profile = null, language = null;
        Walk(path, log, "", (name, entry) =>
        {
            names.Add((name, entry.EntryType, entry.Length));
            if (name.EndsWith(Drushrc, StringComparison.Ordinal) && name.Count(c => c == '/') <= 1 && entry.DataStream is { } data && entry.Length < 1 << 20)
                foreach (Match m in DrushrcOption().Matches(new StreamReader(data).ReadToEnd()))
                    if (m.Groups["key"].Value == "profile") profile = m.Groups["value"].Value; else language = m.Groups["value"].Value;
        });
        // The dump lies in the site's folder: at the tar's root, or in the one folder that holds everything.
        var dump = names.FirstOrDefault(n => n.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile && Path.GetFileName(n.Name) == BackupArchive.DatabaseMember && n.Name.Count(c => c == '/') <= 1);
        if (dump.Name is null) throw Broken(path, "it holds no database.sql at its root");
        var prefix = dump.Name[..^BackupArchive.DatabaseMember.Length];
        var outside = names.FirstOrDefault(n => !(n.Name + "/").StartsWith(prefix, StringComparison.Ordinal));
        if (outside.Name is not null) throw Broken(path, $"its member {outside.Name} lies outside the site's folder {prefix.TrimEnd('/')}");
        var files = names.Where(n => n.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile && n.Name != dump.Name && n.Name != prefix + Drushrc).ToList();
        bool settings = names.Any(n => n.Name == prefix + "settings.php");
        return new Contents(prefix, dump.Length, files.Count, files.Sum(f => f.Length), settings, profile is { Length: > 0 } ? profile : null, language is { Length: > 0 } ? language : null);
    }

    /// <summary>
    /// Writes the archive anew in this module's layout at <paramref name="target"/>: the manifest, the dump, then the
    /// site's folder under site/&lt;siteRoot&gt;, each member owned as <paramref name="ownerOf"/> says (the old
    /// server's users mean nothing here); drushrc.php is left out. Returns the checksums written.
    /// </summary>
    public static BackupChecksums Convert(string path, string target, Contents contents, BackupManifest manifest, string siteRoot,
        Func<string, (string User, string Group)> ownerOf, Action<string> log, Action<long>? progress = null)
    {
        using var writer = BackupArchiveWriter.Create(target, ArchiveCompression.Zstd, log, progress);
        writer.AddJson(BackupArchive.ManifestMember, manifest);
        var dump = contents.Prefix + BackupArchive.DatabaseMember;
        bool found = false;
        Walk(path, log, contents.Prefix, (name, entry) =>
        {
            if (name != dump || found) return;
            writer.AddStream(BackupArchive.DatabaseMember, entry.DataStream ?? Stream.Null, entry.Length);
            found = true;
        });
        if (!found) throw Broken(path, "its database.sql went missing while it was read");
        Walk(path, log, contents.Prefix, (name, entry) =>
        {
            if (name == dump || name == contents.Prefix + Drushrc) return;
            string Member(string tarName)
            {
                var relative = tarName.Length <= contents.Prefix.Length ? "" : tarName[contents.Prefix.Length..];
                return BackupArchive.SitePrefix + siteRoot + (relative.Length > 0 ? "/" + relative : "");
            }
            var relative = name.Length <= contents.Prefix.Length ? "" : name[contents.Prefix.Length..];
            writer.AddEntry(entry, Member(name), entry.EntryType == TarEntryType.HardLink ? Member(Plain(entry.LinkName)) : null, ownerOf(relative));
        });
        writer.Finish();
        return writer.Checksums;
    }

    /// <summary>Each entry with its name made plain (no ./, no trailing /; the root itself as <paramref name="root"/>), refused if it could climb out.</summary>
    static void Walk(string path, Action<string> log, string root, Action<string, TarEntry> visit)
    {
        using var stream = ArchiveCompression.Decompress(path, log);
        using var tar = new TarReader(stream);
        var links = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (tar.GetNextEntry() is { } entry)
            {
                var name = Plain(entry.Name);
                if (name is "" or ".")
                {
                    if (entry.EntryType == TarEntryType.Directory && root.Length == 0) visit("", entry);
                    continue;
                }
                name = BackupArchive.SafeName(name, links);
                if (entry.EntryType == TarEntryType.SymbolicLink) links.Add(name);
                if (entry.EntryType is TarEntryType.HardLink) BackupArchive.SafeName(Plain(entry.LinkName), links);
                visit(name, entry);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException) { throw Broken(path, $"it is cut short or damaged ({BackupArchiveReader.Why(ex)})"); }
    }

    /// <summary>A member's name without ./ in front or / at the end, as GNU tar writes names either way.</summary>
    static string Plain(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        return name.TrimEnd('/');
    }

    static AegirException Broken(string path, string why)
        => ErrorCatalog.StepFailed(ErrorIds.BackupBroken, $"Reading {path}", why, "Give an Aegir 3 site backup (a .tar.gz holding database.sql and the site's folder) or an archive made by Backup-AegirSite.");
}
