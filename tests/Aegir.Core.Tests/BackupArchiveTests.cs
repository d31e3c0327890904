using System.Formats.Tar;
using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Tests;

public class BackupArchiveTests
{
    static BackupManifest Manifest() => new()
    {
        Uri = "a.example", Platform = "platform_wp", PlatformKind = "wordpress", DbServer = "server_master", DbType = "mysql",
        Created = DateTimeOffset.UtcNow, SiteRoots = ["files/a.example"],
    };

    /// <summary>A tar stream as the web server's tar writes a site folder.</summary>
    static MemoryStream Tree(params (string Name, string? Text, string? Link)[] entries)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, text, link) in entries)
            {
                if (link is not null) w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = link });
                else if (text is null) w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name));
                else w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });
            }
        ms.Position = 0;
        return ms;
    }

    static string Write(string dir, string compression, Stream tree)
    {
        var path = Path.Combine(dir, "a.example-1" + ArchiveCompression.Extension(compression));
        var dump = Path.Combine(dir, "dump.sql");
        File.WriteAllText(dump, "CREATE TABLE t (x int);");
        using var writer = BackupArchiveWriter.Create(path, compression, _ => { });
        writer.AddJson(BackupArchive.ManifestMember, Manifest());
        writer.AddFile(BackupArchive.DatabaseMember, dump);
        writer.AddTree(tree, (name, what) => new InvalidDataException($"{name} is a {what}"));
        writer.Finish();
        return path;
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public void An_archive_reads_back_with_every_member_checked(string compression)
    {
        using var home = new TestHome();
        var path = Write(home.Path, compression, Tree(("files/a.example", null, null), ("files/a.example/x.txt", "hello", null), ("files/a.example/l", null, "x.txt")));
        Assert.Equal(compression, ArchiveCompression.Detect(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var backup = BackupArchive.Describe(path, _ => { });
        Assert.Equal(("a.example", 1, 5L), (backup.Site, backup.FileCount, backup.FilesSize));
        using var reader = BackupArchiveReader.Open(path, _ => { });
        var names = new List<string>();
        while (reader.Next() is { } e)
        {
            names.Add(e.Name);
            reader.Skip(e);
        }
        Assert.Equal(["database.sql", "site/files/a.example", "site/files/a.example/x.txt", "site/files/a.example/l"], names);
        Assert.Contains("site/files/a.example/x.txt", reader.Finish().Members.Keys);
    }

    [Fact]
    public void A_member_that_changed_or_an_archive_cut_short_is_refused()
    {
        using var home = new TestHome();
        var path = Write(home.Path, "gzip", Tree(("files/a.example/x.txt", "hello", null)));
        // Rewrite the archive with one member's bytes changed and the old checksums kept.
        var altered = Path.Combine(home.Path, "altered.tar.gz");
        using (var input = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress))
        using (var output = new System.IO.Compression.GZipStream(File.Create(altered), System.IO.Compression.CompressionLevel.Fastest))
        using (var reader = new TarReader(input))
        using (var writer = new TarWriter(output, TarEntryFormat.Pax))
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                if (e.Name.EndsWith("x.txt")) e.DataStream = new MemoryStream("HELLO"u8.ToArray());
                writer.WriteEntry(e);
            }
        var ex = Assert.Throws<AegirException>(() => BackupArchive.Describe(altered, _ => { }));
        Assert.Equal("BackupBroken", ex.ErrorId);
        Assert.Contains("does not match its checksum", ex.Message);

        var cut = Path.Combine(home.Path, "cut.tar.gz");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);
        Assert.Throws<AegirException>(() => BackupArchive.Describe(cut, _ => { }));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("site/../../etc/passwd")]
    [InlineData("site/files/./x")]
    [InlineData("site/files/link/passwd")]
    public void Member_names_that_could_land_outside_are_refused(string name)
    {
        var links = new HashSet<string> { "site/files/link" };
        Assert.Equal("BackupUnsafe", Assert.Throws<AegirException>(() => BackupArchive.SafeName(name, links)).ErrorId);
    }

    static AegirBackup At(DateTimeOffset when) => new()
    {
        Path = $"/b/a-{when:yyyyMMddHHmmss}.tar.zst", Site = "a.example", Created = when, Compression = "zstd",
        Platform = "platform_wp", PlatformKind = "wordpress", DbType = "mysql",
    };

    [Fact]
    public void Retention_keeps_the_newest_backup_per_bucket_of_each_rule()
    {
        var now = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        // Two backups a day for 60 days.
        var all = Enumerable.Range(0, 120).Select(i => At(now.AddHours(-12 * i - 1))).ToList();
        var rules = new[] { RetentionRule.Parse("7d:1d"), RetentionRule.Parse("30d:7d") };
        var expired = Retention.Expired(all, rules, now);
        var kept = all.Except(expired).ToList();
        // The last week stays whole; from 7 to 30 days, one a day; after 30 days, one a week.
        Assert.All(all.Where(b => now - b.Created <= TimeSpan.FromDays(7)), b => Assert.Contains(b, kept));
        Assert.All(kept.Where(b => now - b.Created > TimeSpan.FromDays(7) && now - b.Created <= TimeSpan.FromDays(30)).GroupBy(b => b.Created.ToUnixTimeSeconds() / 86400), g => Assert.Single(g));
        Assert.All(kept.Where(b => now - b.Created > TimeSpan.FromDays(30)).GroupBy(b => b.Created.ToUnixTimeSeconds() / (7 * 86400)), g => Assert.Single(g));
        // Each kept one is the newest of its bucket.
        Assert.DoesNotContain(all.Where(b => now - b.Created > TimeSpan.FromDays(7)).MaxBy(b => b.Created), expired);
        Assert.InRange(kept.Count(b => now - b.Created > TimeSpan.FromDays(30)), 4, 6);
    }

    [Theory]
    [InlineData("30d")]
    [InlineData("30d:0d")]
    [InlineData("30x:1d")]
    [InlineData("-1d:1d")]
    public void Retention_rules_that_do_not_read_are_refused(string rule)
        => Assert.Equal("InvalidValue", Assert.Throws<AegirException>(() => RetentionRule.Parse(rule)).ErrorId);
}
