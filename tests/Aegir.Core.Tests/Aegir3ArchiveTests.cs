using System.Formats.Tar;
using System.IO.Compression;
using Aegir.Core.Backups;
using Aegir.Core.Errors;

namespace Aegir.Core.Tests;

public class Aegir3ArchiveTests
{
    /// <summary>A .tar.gz as Aegir 3's backup writes one; a null text makes a folder.</summary>
    static string Tarball(string dir, string name, params (string Name, string? Text)[] entries)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Gnu);
        foreach (var (entryName, text) in entries)
        {
            var entry = new GnuTarEntry(text is null ? TarEntryType.Directory : TarEntryType.RegularFile, entryName) { UserName = "aegir", GroupName = "www-data", Uid = 1001, Gid = 33 };
            if (text is not null) entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
            tar.WriteEntry(entry);
        }
        return path;
    }

    static readonly (string, string?)[] Site =
    [
        ("./", null), ("./settings.php", "<?php // old"), ("./drushrc.php", "<?php $options['db_passwd'] = 'Old-Secret'; $options['profile'] = 'minimal'; $options['language'] = 'nl';"),
        ("./files/", null), ("./files/a.txt", "upload"), ("./database.sql", "CREATE TABLE t (x int);"),
    ];

    [Fact]
    public void Its_name_gives_the_site_and_the_time()
    {
        Assert.Equal("old.example.com", Aegir3Archive.UriOf("/x/old.example.com-20240102.030405.tar.gz"));
        Assert.Equal("old.example.com", Aegir3Archive.UriOf("old.example.com-20240102.030405_2.tar.gz"));
        Assert.Null(Aegir3Archive.UriOf("backup.tar.gz"));
        using var dir = new TestHome(seed: false);
        var path = Tarball(dir.Path, "a.test-20240102.030405.tar.gz", Site);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), Aegir3Archive.TakenAt(path));
    }

    [Fact]
    public void It_is_rewritten_in_the_module_layout_without_drushrc_and_reads_back_checked()
    {
        using var dir = new TestHome(seed: false);
        var path = Tarball(dir.Path, "a.test-20240102.030405.tar.gz", Site);
        Assert.True(Aegir3Archive.IsOne(path, _ => { }));
        var contents = Aegir3Archive.Inspect(path, _ => { });
        Assert.Equal(("", "minimal", "nl", true, 2), (contents.Prefix, contents.Profile, contents.Language, contents.HasSettings, contents.Files));
        var target = Path.Combine(dir.Path, "a.test.tar.zst");
        var manifest = new BackupManifest { Uri = "a.test", Platform = "platform_d", PlatformKind = "drupal", DbServer = "server_master", DbType = "mysql", SiteRoots = ["sites/a.test"] };
        Aegir3Archive.Convert(path, target, contents, manifest, "sites/a.test", rel => ("aegir", rel.StartsWith("files", StringComparison.Ordinal) ? "www-data" : "aegir"), _ => { });

        Assert.False(Aegir3Archive.IsOne(target, _ => { }));
        using var reader = BackupArchiveReader.Open(target, _ => { });
        var members = new Dictionary<string, TarEntry>();
        while (reader.Next() is { } entry)
        {
            members[entry.Name.TrimEnd('/')] = entry;
            reader.Skip(entry);
        }
        reader.Finish();
        Assert.Equal(["database.sql", "site/sites/a.test", "site/sites/a.test/files", "site/sites/a.test/files/a.txt", "site/sites/a.test/settings.php"], members.Keys.Order());
        var upload = (PosixTarEntry)members["site/sites/a.test/files/a.txt"];
        Assert.Equal(("aegir", "www-data", 0), (upload.UserName, upload.GroupName, upload.Uid));
        Assert.Equal("aegir", ((PosixTarEntry)members["site/sites/a.test/settings.php"]).GroupName);
    }

    [Fact]
    public void A_site_folder_at_the_top_of_the_tar_is_found_too()
    {
        using var dir = new TestHome(seed: false);
        var path = Tarball(dir.Path, "a.test-20240102.030405.tar.gz", ("a.test/", null), ("a.test/settings.php", "<?php"), ("a.test/database.sql", "--"));
        Assert.Equal("a.test/", Aegir3Archive.Inspect(path, _ => { }).Prefix);
    }

    [Theory]
    [InlineData("../escape.php")]
    [InlineData("./files/../../escape.php")]
    [InlineData("/etc/cron.d/evil")]
    public void A_member_that_could_land_outside_the_site_is_refused(string name)
    {
        using var dir = new TestHome(seed: false);
        var path = Tarball(dir.Path, "a.test-20240102.030405.tar.gz", [.. Site, (name, "x")]);
        var ex = Assert.Throws<AegirException>(() => Aegir3Archive.Inspect(path, _ => { }));
        Assert.Equal("BackupUnsafe", ex.ErrorId);
    }

    [Fact]
    public void A_tar_without_a_dump_or_with_members_beside_the_site_folder_is_refused()
    {
        using var dir = new TestHome(seed: false);
        var noDump = Tarball(dir.Path, "a.test-20240102.030405.tar.gz", ("./settings.php", "<?php"));
        Assert.Contains("no database.sql", Assert.Throws<AegirException>(() => Aegir3Archive.Inspect(noDump, _ => { })).Message);
        var beside = Tarball(dir.Path, "b.test-20240102.030405.tar.gz", ("b.test/database.sql", "--"), ("other/x.php", "<?php"));
        Assert.Contains("outside the site's folder", Assert.Throws<AegirException>(() => Aegir3Archive.Inspect(beside, _ => { })).Message);
    }
}
