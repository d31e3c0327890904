using Aegir.Core.Contexts;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Operations.Server;
using Aegir.Core.Operations.Site;

namespace Aegir.Core.Tests;

/// <summary>
/// Each operation in a state where it has real work to do: how to set that state up, and the parameters to run it with.
/// <see cref="Finishes"/>: a kill past its point of no return is repaired by finishing, so the result is the done state.
/// </summary>
public sealed record OperationScenario(string Name, Action<FakeHosting> Setup, Func<FakeHosting, object> Parameters, bool Finishes = false)
{
    public override string ToString() => Name;

    public static readonly IReadOnlyList<OperationScenario> All =
    [
        new("new wordpress site", h => h.Platform("wp", "wordpress"),
            _ => new InstallSite.Parameters("blog.test", "Blog", null, new SiteDefinition("blog.test", "wp", Aliases: ["www.blog.test"], Redirection: "blog.test"))),
        new("new drupal site", h => h.Platform("d11", "drupal"),
            _ => new InstallSite.Parameters("d.test", null, null, new SiteDefinition("d.test", "d11"))),
        new("install of a recorded site", h =>
        {
            h.Platform("php", "php");
            h.Store.Create(new AegirSite("p.test") { PlatformName = "php" });
        }, _ => new InstallSite.Parameters("p.test")),
        new("new site of a client, whose group is made", h =>
        {
            h.Platform("php", "php");
            h.Server.Accounts["alice"] = "uid=1001(alice) gid=1001(alice) groups=1001(alice)";
            h.Store.Create(new AegirClient("client_acme") { People = ["alice"] });
        }, _ => new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "php", Client: "acme"))),
        new("grant a client's sites to a new login", ClientSite,
            _ => new Operations.Client.GrantClientAccess.Parameters("client_acme", "bob", Create: true, SshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bob@laptop")),
        new("revoke a person's access", h =>
        {
            ClientSite(h);
            Assert.True(h.Run(new Operations.Client.GrantClientAccess.Parameters("client_acme", "alice")).Succeeded);
        }, _ => new Operations.Client.RevokeClientAccess.Parameters("client_acme", "alice")),
        new("give a client another group, on its sites' server", h =>
        {
            ClientSite(h);
            Assert.True(h.Run(new Operations.Client.GrantClientAccess.Parameters("client_acme", "alice")).Succeeded);
        }, _ => new Operations.Client.ChangeClientGroup.Parameters("client_acme", "c-acme")),
        new("remove a client whose group the module made", h =>
        {
            ClientSite(h);
            Assert.True(h.Run(new Operations.Client.GrantClientAccess.Parameters("client_acme", "alice")).Succeeded);
            Assert.True(h.Run(new DeleteSite.Parameters("shop.test", Backup: false)).Succeeded);
        }, _ => new Operations.Client.DeleteClient.Parameters("client_acme")),
        new("give a client's site to another client", h =>
        {
            ClientSite(h);
            h.Store.Create(new AegirClient("client_globex"));
        }, _ => new VerifySite.Parameters("shop.test", new SiteChanges { Client = "globex" })),
        new("new site over HTTPS only", h => h.Platform("wp", "wordpress"),
            _ => new InstallSite.Parameters("secure.test", null, null, new SiteDefinition("secure.test", "wp", Aliases: ["www.secure.test"], Https: HttpsMode.Required, CertificateSource: CertificateSource.SelfSigned))),
        new("serve an installed site over HTTPS", Installed, _ => new VerifySite.Parameters("blog.test", new SiteChanges { Https = HttpsMode.Enabled, CertificateSource = CertificateSource.SelfSigned })),
        new("delete a site served over HTTPS", h =>
        {
            Installed(h);
            Assert.True(h.Run(new VerifySite.Parameters("blog.test", new SiteChanges { Https = HttpsMode.Required })).Succeeded);
        }, _ => new DeleteSite.Parameters("blog.test", Backup: false), Finishes: true),
        new("set an alias of an installed site", Installed, _ => new VerifySite.Parameters("blog.test", new SiteChanges { AddAliases = ["blog2.test"] })),
        new("disable", Installed, _ => new DisableSite.Parameters("blog.test")),
        new("enable", h =>
        {
            Installed(h);
            Assert.True(h.Run(new DisableSite.Parameters("blog.test")).Succeeded);
        }, _ => new EnableSite.Parameters("blog.test")),
        new("delete an installed site", Installed, _ => new DeleteSite.Parameters("blog.test"), Finishes: true),
        new("restore an installed site from its backup", h =>
        {
            Installed(h);
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "the photo as backed up");
            Assert.True(h.Run(new BackupSite.Parameters("blog.test")).Succeeded);
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "changed since");
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/new.jpg", "added since");
        }, h => new RestoreSite.Parameters("blog.test", new Backups.BackupStore(h.Home.Path).List("blog.test")[^1].Path), Finishes: true),
        new("back up an installed site", Installed, _ => new BackupSite.Parameters("blog.test")),
        new("import a site made by hand", h =>
        {
            h.Platform("d11", "drupal");
            h.Server.Put("/srv/d11/sites/hand.test/settings.php", "<?php $databases['default']['default'] = ['database' => 'handdb', 'username' => 'handdb', 'password' => 'Hand-Secret-1', 'host' => 'localhost', 'driver' => 'mysql'];");
            h.Databases.Databases.Add("handdb");
        }, _ => new ImportSite.Parameters("hand.test", "platform_d11", "server_master", "handdb")),
        new("restore a site back to the platform its backup was taken on", h =>
        {
            Installed(h);
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "the photo as backed up");
            Assert.True(h.Run(new BackupSite.Parameters("blog.test")).Succeeded);
            h.Platform("wp2", "wordpress");
            Assert.True(h.Run(new MoveSite.Parameters("blog.test", "platform_wp2")).Succeeded);
        }, h => new RestoreSite.Parameters("blog.test", new Backups.BackupStore(h.Home.Path).List("blog.test")[^1].Path, "platform_wp"), Finishes: true),
        new("move a site to another platform", h =>
        {
            Installed(h);
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
            h.Platform("wp2", "wordpress");
        }, _ => new MoveSite.Parameters("blog.test", "platform_wp2"), Finishes: true),
        new("rename a site", h =>
        {
            Installed(h);
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
        }, _ => new RenameSite.Parameters("blog.test", "news.test"), Finishes: true),
        new("clone a site", h =>
        {
            Installed(h);
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
        }, _ => new CloneSite.Parameters("blog.test", "copy.test"), Finishes: true),
        new("import an Aegir 3 backup", h => h.Platform("d11", "drupal"),
            h => new ImportSiteArchive.Parameters("old.test", "platform_d11", Aegir3Tarball(h, "old.test")), Finishes: true),
        new("restore an imported site from a newer Aegir 3 backup", h =>
        {
            h.Platform("d11", "drupal");
            Assert.True(h.Run(new InstallSite.Parameters("old.test", null, null, new SiteDefinition("old.test", "d11"))).Succeeded);
            h.Server.Put("/srv/d11/sites/old.test/files/report.txt", "as it was here");
        }, h => new RestoreSite.Parameters("old.test", Aegir3Tarball(h, "old.test")), Finishes: true),
        new("import a backup made on another machine", h =>
        {
            Installed(h);
            h.Server.Put("/srv/wp/wp-content/uploads/sites/blog.test/photo.jpg", "a photo");
            Assert.True(h.Run(new BackupSite.Parameters("blog.test")).Succeeded);
            var archive = new Backups.BackupStore(h.Home.Path).List("blog.test")[0].Path;
            var elsewhere = Path.Combine(h.Home.Path, "incoming", Path.GetFileName(archive));
            Directory.CreateDirectory(Path.GetDirectoryName(elsewhere)!);
            File.Copy(archive, elsewhere);
            Assert.True(h.Run(new DeleteSite.Parameters("blog.test", Backup: false)).Succeeded);
        }, h => new ImportSiteArchive.Parameters("blog.test", "platform_wp", Directory.GetFiles(Path.Combine(h.Home.Path, "incoming"))[0]), Finishes: true),
        new("restore an HTTPS site whose backup's certificate ends later than the store's", h =>
        {
            Installed(h);
            Assert.True(h.Run(new VerifySite.Parameters("blog.test", GivenCertificate(h, 0))).Succeeded);
            Assert.True(h.Run(new BackupSite.Parameters("blog.test")).Succeeded);
            Assert.True(h.Run(new VerifySite.Parameters("blog.test", GivenCertificate(h, 1))).Succeeded);
        }, h => new RestoreSite.Parameters("blog.test", new Backups.BackupStore(h.Home.Path).List("blog.test")[0].Path), Finishes: true),
        new("import a backup that carries its certificate, after the site was removed", h =>
        {
            Installed(h);
            Assert.True(h.Run(new VerifySite.Parameters("blog.test", GivenCertificate(h, 0))).Succeeded);
            Assert.True(h.Run(new DeleteSite.Parameters("blog.test")).Succeeded);
        }, h => new ImportSiteArchive.Parameters("blog.test", "platform_wp", new Backups.BackupStore(h.Home.Path).List("blog.test")[0].Path), Finishes: true),
        new("delete a site never installed", h =>
        {
            h.Platform("wp", "wordpress");
            h.Store.Create(new AegirSite("n.test") { PlatformName = "wp" });
        }, _ => new DeleteSite.Parameters("n.test")),
        new("verify a new platform", h => h.Platform("wp", "wordpress", verified: false), _ => new VerifyPlatform.Parameters("platform_wp")),
        new("delete a platform", h =>
        {
            h.Platform("wp", "wordpress", verified: false);
            Assert.True(h.Run(new VerifyPlatform.Parameters("platform_wp")).Succeeded);
        }, _ => new DeletePlatform.Parameters("platform_wp")),
        new("lock a platform", h => h.Platform("wp", "wordpress"), _ => new LockPlatform.Parameters("platform_wp")),
        new("build a platform from git", h =>
        {
            h.Server.CreateDirectory("/srv", (UnixFileMode)Convert.ToInt32("755", 8));
            h.Server.Put(Platforms.BuildShell.Composer, "#!/usr/bin/php");
        }, _ => new VerifyPlatform.Parameters("platform_built", new PlatformDefinition("built", "/srv/built", Git: "/srv/repo.git", Ref: "v1", Composer: true))),
        new("verify a server", _ => { }, _ => new VerifyServer.Parameters(ContextNames.Master)),
    ];

    public static IEnumerable<object[]> Cases => All.Select(s => new object[] { s });

    /// <summary>
    /// An Aegir 3 site backup, as its tar of the site's folder writes it: ./settings.php with the old server's
    /// credentials, drushrc.php, an uploaded file and the dump; outside the folders a task compares.
    /// </summary>
    public static string Aegir3Tarball(FakeHosting h, string uri)
    {
        var path = Path.Combine(h.Home.Path, "incoming", $"{uri}-20240102.030405.tar.gz");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        using var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Gnu);
        void Add(string name, string? text)
        {
            var type = text is null ? System.Formats.Tar.TarEntryType.Directory : System.Formats.Tar.TarEntryType.RegularFile;
            var entry = new System.Formats.Tar.GnuTarEntry(type, name)
            {
                UserName = "aegir", GroupName = "www-data", Uid = 1001, Gid = 33, Mode = text is null ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
            };
            if (text is not null) entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
            tar.WriteEntry(entry);
        }
        Add("./", null);
        Add("./settings.php", "<?php $databases['default']['default'] = ['database' => 'oldtest', 'username' => 'oldtest', 'password' => 'Old-Secret-9', 'host' => 'db.old', 'driver' => 'mysql'];");
        Add("./drushrc.php", "<?php $options['db_passwd'] = 'Old-Secret-9'; $options['profile'] = 'minimal';");
        Add("./files/", null);
        Add("./files/report.txt", "uploaded on the old server");
        Add("./database.sql", "CREATE TABLE config (name VARCHAR(255));");
        return path;
    }

    /// <summary>A WordPress site installed on a verified platform.</summary>
    /// <summary>A site of the client acme, installed; alice has a login on its server.</summary>
    public static void ClientSite(FakeHosting h)
    {
        h.Platform("php", "php");
        h.Server.Accounts["alice"] = "uid=1001(alice) gid=1001(alice) groups=1001(alice)";
        h.Server.CreateDirectory("/home", (UnixFileMode)Convert.ToInt32("755", 8));
        h.Store.Create(new AegirClient("client_acme"));
        var outcome = h.Run(new InstallSite.Parameters("shop.test", null, null, new SiteDefinition("shop.test", "php", Client: "acme")));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
    }

    /// <summary>Two certificates of a test CA for blog.test and its alias, the first ending later than the second: made once.</summary>
    static readonly Lazy<(string Chain, string Key)[]> Certificates = new(() => [Certificate(200), Certificate(60)]);

    static (string Chain, string Key) Certificate(int days)
    {
        var (root, inter, leaf, key) = CertificateTests.Chain(["blog.test", "www.blog.test"], notAfter: DateTime.UtcNow.AddDays(days));
        return (CertificateTests.Pem(leaf, inter, root), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>HTTPS with one of <see cref="Certificates"/> given as files (the File source).</summary>
    static SiteChanges GivenCertificate(FakeHosting h, int which)
    {
        var dir = Directory.CreateDirectory(Path.Combine(h.Home.Path, "given", which.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        File.WriteAllText(Path.Combine(dir, "full.pem"), Certificates.Value[which].Chain);
        File.WriteAllText(Path.Combine(dir, "key.pem"), Certificates.Value[which].Key);
        return new SiteChanges { Https = HttpsMode.Required, CertificatePath = Path.Combine(dir, "full.pem"), CertificateKeyPath = Path.Combine(dir, "key.pem") };
    }

    public static void Installed(FakeHosting h)
    {
        h.Platform("wp", "wordpress");
        var outcome = h.Run(new InstallSite.Parameters("blog.test", "Blog", null, new SiteDefinition("blog.test", "wp", Aliases: ["www.blog.test"])));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        // An admin's own rule for its vhost, which renames, clones and removal carry or take away.
        h.Server.Put(Path.Combine(Path.GetDirectoryName(h.VhostPath("blog.test"))!.Replace("vhost.d", "site.d"), "blog.test", "cache.conf"), "expires 1h;");
    }
}
