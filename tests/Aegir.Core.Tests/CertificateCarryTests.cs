using System.Formats.Tar;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Tasks;
using Xunit;

namespace Aegir.Core.Tests;

/// <summary>
/// A backup carries the certificate of a site served over HTTPS, and a restore or an import puts it back only when
/// it passes the checks of a file given and ends later than the store's: an archive is untrusted, and a certificate
/// in it that fails a check is left out with a warning, the site getting what it would get without it.
/// </summary>
public sealed class CertificateCarryTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("aegir-carry-").FullName;
    static readonly string[] Hosts = ["blog.test", "www.blog.test"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    sealed record Given(string Chain, string Key, string Thumbprint, SiteChanges Changes);

    /// <summary>A certificate of a test CA for <paramref name="names"/>, written as files an admin gives.</summary>
    Given Make(string[] names, int days = 90)
    {
        var (root, inter, leaf, own) = CertificateTests.Chain(names, notAfter: DateTime.UtcNow.AddDays(days));
        var dir = Directory.CreateDirectory(Path.Combine(_dir, Guid.NewGuid().ToString("N"))).FullName;
        var chain = CertificateTests.Pem(leaf, inter, root);
        var keyPem = own.ExportPkcs8PrivateKeyPem();
        File.WriteAllText(Path.Combine(dir, "full.pem"), chain);
        File.WriteAllText(Path.Combine(dir, "key.pem"), keyPem);
        return new(chain, keyPem, leaf.GetCertHashString(HashAlgorithmName.SHA256),
            new SiteChanges { Https = HttpsMode.Required, CertificatePath = Path.Combine(dir, "full.pem"), CertificateKeyPath = Path.Combine(dir, "key.pem") });
    }

    static FakeHosting HttpsSite(Given given)
    {
        var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test", given.Changes));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        return hosting;
    }

    static string BackUp(FakeHosting hosting)
    {
        var outcome = hosting.Run(new BackupSite.Parameters("blog.test"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.DoesNotContain(outcome.Task.Log, e => e.Message.Contains("PRIVATE KEY"));
        return new BackupStore(hosting.Home.Path).List("blog.test")[0].Path;
    }

    /// <summary>The archive's members by name, with their text (regular files) or type.</summary>
    static Dictionary<string, string> Members(string archive)
    {
        using var input = ArchiveCompression.Decompress(archive, _ => { });
        using var tar = new TarReader(input);
        var members = new Dictionary<string, string>();
        while (tar.GetNextEntry() is { } e)
            members[e.Name] = e.DataStream is { } data ? new StreamReader(data).ReadToEnd() : e.EntryType.ToString();
        return members;
    }

    /// <summary>
    /// The archive as someone else rewrote it, checksums and all: members <paramref name="change"/> names get its text
    /// (a null drops one), and <paramref name="extra"/> entries follow the manifest.
    /// </summary>
    string Rewrite(string archive, IReadOnlyDictionary<string, string?> change, params TarEntry[] extra)
    {
        var to = Path.Combine(_dir, $"{Guid.NewGuid():N}-{Path.GetFileName(archive)}");
        using var input = ArchiveCompression.Decompress(archive, _ => { });
        using var tar = new TarReader(input);
        using var writer = BackupArchiveWriter.Create(to, ArchiveCompression.Zstd, _ => { });
        while (tar.GetNextEntry() is { } e)
        {
            if (e.Name == BackupArchive.ChecksumsMember) continue;
            if (change.TryGetValue(e.Name, out var text))
            {
                if (text is not null) writer.AddStream(e.Name, new MemoryStream(Encoding.UTF8.GetBytes(text)), Encoding.UTF8.GetByteCount(text));
            }
            else if (e.EntryType == TarEntryType.RegularFile && !e.Name.StartsWith(BackupArchive.SitePrefix, StringComparison.Ordinal))
                writer.AddStream(e.Name, e.DataStream!, e.Length);
            else writer.AddEntry(e, e.Name, e.EntryType == TarEntryType.HardLink ? e.LinkName : null);
            if (e.Name == BackupArchive.ManifestMember)
                foreach (var entry in extra) writer.AddEntry(entry, entry.Name, entry.LinkName);
        }
        writer.Finish();
        return to;
    }

    static TaskOutcome Import(FakeHosting hosting, string archive)
    {
        Assert.True(hosting.Run(new DeleteSite.Parameters("blog.test", Backup: false)).Succeeded);
        Assert.Null(new CertificateStore(hosting.Home.Path).Get("blog.test"));
        var outcome = hosting.Run(new ImportSiteArchive.Parameters("blog.test", "platform_wp", archive));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        return outcome;
    }

    [Fact]
    public void A_backup_holds_the_certificate_in_use_and_its_key_in_a_file_only_its_owner_reads()
    {
        var given = Make(Hosts);
        using var hosting = HttpsSite(given);
        var archive = BackUp(hosting);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
        var members = Members(archive);
        Assert.Equal(given.Key, members["certificate/key.pem"]);
        Assert.Equal(given.Thumbprint, CertificateFacts.Thumbprint(CertificateFacts.Leaf(members["certificate/fullchain.pem"])));
        Assert.Contains("\"source\": \"File\"", members["certificate/certificate.json"]);
        Assert.Contains("\"https\": \"Required\"", members[BackupArchive.ManifestMember]);
        Assert.Equal(["manifest.json", "certificate/certificate.json", "certificate/fullchain.pem", "certificate/key.pem"], members.Keys.Take(4));
        // A site served over HTTP: no certificate in its backup.
        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test", new SiteChanges { Https = HttpsMode.Disabled })).Succeeded);
        Assert.DoesNotContain(Members(BackUp(hosting)).Keys, k => k.StartsWith("certificate/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_removed_site_imported_from_its_backup_serves_the_certificate_given_to_it_again()
    {
        var given = Make(Hosts);
        using var hosting = HttpsSite(given);
        var outcome = Import(hosting, BackUp(hosting));
        var cert = new CertificateStore(hosting.Home.Path).Get("blog.test")!;
        Assert.Equal((given.Thumbprint, CertificateSource.File), (cert.Thumbprint, cert.Source));
        var site = hosting.Store.GetFresh<AegirSite>("blog.test", "Uri");
        Assert.Equal((HttpsMode.Required, CertificateSource.File), (site.Https, site.CertificateSource));
        var tls = Path.Combine(hosting.Home.Path, "config", "server_master", "tls");
        Assert.Equal(given.Key, hosting.Server.Text(Path.Combine(tls, "blog.test.key")));
        Assert.DoesNotContain(outcome.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("certificate"));
        Assert.DoesNotContain(outcome.Task.Log, e => e.Message.Contains("PRIVATE KEY"));
    }

    [Theory]
    [InlineData("key", "key.pem is refused (it is not the key of the certificate")]
    [InlineData("names", "does not cover blog.test")]
    [InlineData("record", "certificate.json names another certificate than fullchain.pem holds")]
    [InlineData("link", "certificate/key.pem is refused: it is a symbolic link, not a plain file")]
    [InlineData("hardlink", "certificate/key.pem is refused: it is a hard link, not a plain file")]
    [InlineData("missing", "the backup lacks certificate/key.pem")]
    public void A_hostile_certificate_in_an_archive_is_left_out_with_a_warning_and_the_site_gets_a_self_signed_one(string how, string why)
    {
        var given = Make(Hosts);
        using var hosting = HttpsSite(given);
        var archive = BackUp(hosting);
        var members = Members(archive);
        var other = Make(["elsewhere.test"]);
        var extra = Array.Empty<TarEntry>();
        var change = new Dictionary<string, string?>();
        switch (how)
        {
            case "key": change["certificate/key.pem"] = Make(Hosts).Key; break;
            case "names":
                change["certificate/fullchain.pem"] = other.Chain;
                change["certificate/key.pem"] = other.Key;
                change["certificate/certificate.json"] = members["certificate/certificate.json"].Replace(given.Thumbprint, other.Thumbprint);
                break;
            case "record": change["certificate/certificate.json"] = members["certificate/certificate.json"].Replace(given.Thumbprint, other.Thumbprint); break;
            case "link":
                change["certificate/key.pem"] = null;
                extra = [new PaxTarEntry(TarEntryType.SymbolicLink, "certificate/key.pem") { LinkName = "/etc/ssl/private/other.key" }];
                break;
            case "hardlink":
                change["certificate/key.pem"] = null;
                extra = [new PaxTarEntry(TarEntryType.HardLink, "certificate/key.pem") { LinkName = "certificate/certificate.json" }];
                break;
            case "missing": change["certificate/key.pem"] = null; break;
        }
        var outcome = Import(hosting, Rewrite(archive, change, extra));
        Assert.Contains(outcome.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("The certificate in the backup is left out") && e.Message.Contains(why));
        var cert = new CertificateStore(hosting.Home.Path).Get("blog.test")!;
        Assert.True(cert.SelfSigned);
        Assert.Equal(["blog.test"], cert.Names);
        Assert.Equal(CertificateSource.SelfSigned, hosting.Store.GetFresh<AegirSite>("blog.test", "Uri").CertificateSource);
    }

    [Fact]
    public void A_private_CA_s_certificate_in_a_backup_is_put_back_when_the_web_server_trusts_its_root_for_ACME_and_refused_otherwise()
    {
        var given = Make(Hosts);
        using var hosting = HttpsSite(given);
        var archive = BackUp(hosting);
        // As lego saves a Pebble or step-ca certificate: the site's and the intermediate's, the root not in the file.
        var (root, inter, leaf, key) = CertificateTests.Chain(Hosts);
        var thumbprint = CertificateFacts.Thumbprint(leaf);
        var privateCa = Rewrite(archive, new Dictionary<string, string?>
        {
            ["certificate/fullchain.pem"] = CertificateTests.Pem(leaf, inter),
            ["certificate/key.pem"] = key.ExportPkcs8PrivateKeyPem(),
            ["certificate/certificate.json"] = Members(archive)["certificate/certificate.json"].Replace(given.Thumbprint, thumbprint),
        });
        void Trust(X509Certificate2 ca)
        {
            var roots = Path.Combine(_dir, $"{Guid.NewGuid():N}.pem");
            File.WriteAllText(roots, CertificateTests.Pem(ca));
            var copy = AcmeSettings.ImportRoots(hosting.Home.Path, roots);
            hosting.Store.Modify("server_master", "Name", (AegirServer s) => s.Http.Set("acme_roots", copy));
        }
        var store = new CertificateStore(hosting.Home.Path);

        var untrusted = Import(hosting, privateCa);
        Assert.Contains(untrusted.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("left out") && e.Message.Contains("the chain is incomplete"));
        Assert.True(store.Get("blog.test")!.SelfSigned);

        Trust(CertificateTests.Chain(Hosts).Root);   // another private CA's root: still no chain to a trusted root
        var other = Import(hosting, privateCa);
        Assert.Contains(other.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("the chain is incomplete") && e.Message.Contains("acme_roots"));
        Assert.True(store.Get("blog.test")!.SelfSigned);

        Trust(root);
        var restored = Import(hosting, privateCa);
        Assert.DoesNotContain(restored.Task.Log, e => e.Level == TaskLogLevel.Warning && e.Message.Contains("certificate"));
        Assert.Equal((thumbprint, CertificateSource.File), (store.Get("blog.test")!.Thumbprint, store.Get("blog.test")!.Source));
        Assert.Equal(CertificateTests.Pem(leaf, inter), hosting.Server.Text(Path.Combine(hosting.Home.Path, "config", "server_master", "tls", "blog.test.crt")));
    }

    [Fact]
    public void A_restore_puts_back_a_certificate_that_ends_later_than_the_stores_and_leaves_an_earlier_one_out()
    {
        var first = Make(Hosts, days: 90);
        using var hosting = HttpsSite(first);
        var archive = BackUp(hosting);
        var store = new CertificateStore(hosting.Home.Path);
        var later = Make(Hosts, days: 200);
        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test", later.Changes)).Succeeded);
        var kept = hosting.Run(new RestoreSite.Parameters("blog.test", archive));
        Assert.True(kept.Succeeded, kept.Task.Error);
        Assert.Equal(later.Thumbprint, store.Get("blog.test")!.Thumbprint);
        Assert.Contains(kept.Task.Log, e => e.Level == TaskLogLevel.Info && e.Message.Contains("left out: it ends on"));

        var sooner = Make(Hosts, days: 60);
        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test", sooner.Changes)).Succeeded);
        var restored = hosting.Run(new RestoreSite.Parameters("blog.test", archive));
        Assert.True(restored.Succeeded, restored.Task.Error);
        Assert.Equal((first.Thumbprint, CertificateSource.File), (store.Get("blog.test")!.Thumbprint, store.Get("blog.test")!.Source));
        Assert.Contains(restored.Task.Log, e => e.Message.Contains("Putting the certificate in the backup (File"));
    }

    /// <summary>A backup's certificate members as a restore reads them.</summary>
    CarriedCertificate Carried(string archive)
    {
        var carried = new CarriedCertificate();
        using var reader = BackupArchiveReader.Open(archive, _ => { });
        while (reader.Next() is { } e)
            if (e.Name.StartsWith(BackupArchive.CertificatePrefix, StringComparison.Ordinal)) carried.Take(e, reader);
            else reader.Skip(e);
        reader.Finish();
        return carried;
    }

    [Fact]
    public void A_certificate_that_no_longer_covers_the_sites_names_of_another_source_or_self_signed_over_a_cas_is_left_out_at_info()
    {
        var given = Make(Hosts);
        using var hosting = HttpsSite(given);
        var carried = Carried(BackUp(hosting));
        var site = hosting.Store.GetFresh<AegirSite>("blog.test", "Uri");
        Assert.NotNull(CertificateCarry(carried, site, CertificateSource.File, null).Files);
        site.Aliases = [.. Hosts[1..], "shop.test"];
        var verdict = CertificateCarry(carried, site, CertificateSource.File, null);
        Assert.Equal((null, TaskLogLevel.Info), (verdict.Files, verdict.Level));
        Assert.Contains("does not cover shop.test", verdict.Why);
        site.Aliases = Hosts[1..];
        Assert.Contains("it is a File certificate, and the record of blog.test asks for LetsEncrypt", CertificateCarry(carried, site, CertificateSource.LetsEncrypt, null).Why);
        var ca = new CertificateStore(hosting.Home.Path).Get("blog.test")! with { Thumbprint = "00", NotAfter = DateTime.UtcNow.AddDays(1) };
        Assert.NotNull(CertificateCarry(carried, site, CertificateSource.File, ca).Files);
        Assert.Contains("the certificate store holds it already", CertificateCarry(carried, site, CertificateSource.File, ca with { Thumbprint = given.Thumbprint }).Why);
    }

    static SiteCertificateCarry.Verdict CertificateCarry(CarriedCertificate carried, AegirSite site, CertificateSource wanted, AegirCertificate? current)
        => SiteCertificateCarry.Judge(carried, "blog.test", site, wanted, current);

    [Fact]
    public void A_self_signed_certificate_in_a_backup_does_not_replace_a_cas_in_the_store_even_when_it_ends_later()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test", new SiteChanges { Https = HttpsMode.Enabled, CertificateSource = CertificateSource.SelfSigned })).Succeeded);
        var carried = Carried(BackUp(hosting));
        var site = hosting.Store.GetFresh<AegirSite>("blog.test", "Uri");
        var stored = new CertificateStore(hosting.Home.Path).Get("blog.test")!;
        var ca = stored with { Thumbprint = "00", SelfSigned = false, Issuer = "CN=Some CA", NotAfter = DateTime.UtcNow.AddDays(30) };
        var verdict = CertificateCarry(carried, site, CertificateSource.SelfSigned, ca);
        Assert.Equal((null, TaskLogLevel.Info), (verdict.Files, verdict.Level));
        Assert.Contains("it is self-signed, and the certificate store holds one from CN=Some CA", verdict.Why);
        Assert.NotNull(CertificateCarry(carried, site, CertificateSource.SelfSigned, ca with { SelfSigned = true }).Files);
    }
}
