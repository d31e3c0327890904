using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Site;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Transport;
using Xunit;

namespace Aegir.Core.Tests;

/// <summary>
/// Certificate files an admin gives (the File source) are checked before anything is written: each hostile or broken
/// file is refused with what is wrong and how to fix it, and the store is left as it was.
/// </summary>
public sealed class CertificateTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("aegir-cert-").FullName;
    static readonly string[] Hosts = ["shop.example.com", "www.shop.example.com"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A root CA, an intermediate it signs, and a leaf for <paramref name="names"/> the intermediate signs, with the leaf's key.</summary>
    internal static (X509Certificate2 Root, X509Certificate2 Intermediate, X509Certificate2 Leaf, ECDsa Key) Chain(string[] names, DateTime? notAfter = null, DateTime? notBefore = null)
    {
        var now = DateTime.UtcNow;
        var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Test Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var root = rootRequest.CreateSelfSigned(now.AddDays(-10), now.AddYears(5));
        var interKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var interRequest = new CertificateRequest("CN=Test Intermediate", interKey, HashAlgorithmName.SHA256);
        interRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        interRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var inter = interRequest.Create(root, now.AddDays(-9), now.AddYears(4), [1, 2, 3]).CopyWithPrivateKey(interKey);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names) san.AddDnsName(n);
        request.CertificateExtensions.Add(san.Build());
        var leaf = request.Create(inter, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(90), [4, 5, 6]);
        return (root, inter, leaf, key);
    }

    string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    internal static string Pem(params X509Certificate2[] certs) => string.Concat(certs.Select(c => c.ExportCertificatePem() + "\n"));

    static AegirException Refused(Action check) => Assert.Throws<AegirException>(check);

    [Fact]
    public void A_complete_chain_for_every_name_with_its_key_passes_and_keeps_the_chain_in_order()
    {
        var (root, inter, leaf, key) = Chain(Hosts);
        var files = CertificateFiles.Check(Write("full.pem", Pem(leaf, inter, root)), Write("key.pem", key.ExportPkcs8PrivateKeyPem()), Hosts);
        Assert.Equal(3, CertificateFacts.Chain(files.CertificatePem).Count);
        Assert.Equal(leaf.Thumbprint, files.Leaf.Thumbprint);
    }

    [Fact]
    public void A_key_of_another_certificate_is_refused()
    {
        var (root, inter, leaf, _) = Chain(Hosts);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ex = Refused(() => CertificateFiles.Check(Write("full.pem", Pem(leaf, inter, root)), Write("key.pem", other.ExportPkcs8PrivateKeyPem()), Hosts));
        Assert.Equal("CertificateRefused", ex.ErrorId);
        Assert.Contains("is not the key of the certificate", ex.Message);
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        var (root, inter, leaf, key) = Chain(Hosts, notAfter: DateTime.UtcNow.AddDays(-1), notBefore: DateTime.UtcNow.AddDays(-8));
        var ex = Refused(() => CertificateFiles.Check(Write("full.pem", Pem(leaf, inter, root)), Write("key.pem", key.ExportPkcs8PrivateKeyPem()), Hosts));
        Assert.Contains("expired", ex.Message);
    }

    [Fact]
    public void A_certificate_for_other_names_is_refused_naming_each_name_it_misses()
    {
        var (root, inter, leaf, key) = Chain(["shop.example.com", "other.example.net"]);
        var ex = Refused(() => CertificateFiles.Check(Write("full.pem", Pem(leaf, inter, root)), Write("key.pem", key.ExportPkcs8PrivateKeyPem()), Hosts));
        Assert.Contains("does not cover www.shop.example.com", ex.Message);
    }

    [Fact]
    public void A_wildcard_covers_one_label_below_its_domain_only()
    {
        var (root, inter, leaf, key) = Chain(["*.example.com", "example.com"]);
        CertificateFiles.Check(Write("full.pem", Pem(leaf, inter, root)), Write("key.pem", key.ExportPkcs8PrivateKeyPem()), ["shop.example.com", "example.com"]);
        var ex = Refused(() => CertificateFiles.Check(Write("full2.pem", Pem(leaf, inter, root)), Write("key2.pem", key.ExportPkcs8PrivateKeyPem()), ["www.shop.example.com"]));
        Assert.Contains("does not cover www.shop.example.com", ex.Message);
    }

    [Fact]
    public void A_chain_that_stops_at_an_intermediate_is_refused_as_incomplete()
    {
        var (_, _, leaf, key) = Chain(Hosts);
        var ex = Refused(() => CertificateFiles.Check(Write("leaf.pem", Pem(leaf)), Write("key.pem", key.ExportPkcs8PrivateKeyPem()), Hosts));
        Assert.Contains("the chain is incomplete", ex.Message);
        Assert.Contains("Test Intermediate", ex.Message);
    }

    [Fact]
    public void A_chain_out_of_order_is_refused()
    {
        var (root, inter, leaf, key) = Chain(Hosts);
        var ex = Refused(() => CertificateFiles.Check(Write("full.pem", Pem(leaf, root, inter)), Write("key.pem", key.ExportPkcs8PrivateKeyPem()), Hosts));
        Assert.Contains("but the next one is", ex.Message);
    }

    [Fact]
    public void A_chain_that_puts_the_site_s_certificate_after_its_CA_s_says_so_and_how_to_fix_it()
    {
        var (root, inter, leaf, key) = Chain(Hosts);
        var ex = Refused(() => CertificateFiles.Check(Write("full.pem", Pem(inter, leaf, root)), Write("key.pem", key.ExportPkcs8PrivateKeyPem()), Hosts));
        Assert.Equal("CertificateRefused", ex.ErrorId);
        Assert.Contains("the site's certificate must come first", ex.Message);
        Assert.Contains("CN=Test Intermediate", ex.Message);
        Assert.Contains($"CN={Hosts[0]}", ex.Message);
        Assert.Contains("cat leaf.pem chain.pem > fullchain.pem", ex.Message);
        Assert.DoesNotContain("is not the key", ex.Message);
    }

    /// <summary>
    /// A certificate for <see cref="Hosts"/> with <paramref name="key"/>, signed with <paramref name="hash"/> by the test
    /// intermediate (by an RSA root for SHA-1, which .NET no longer signs certificates with): its chain and key as PEM.
    /// </summary>
    static (string Chain, string Key) Leaf(AsymmetricAlgorithm key, HashAlgorithmName hash, params X509Extension[] extensions)
    {
        var request = key is RSA rsa ? new CertificateRequest($"CN={Hosts[0]}", rsa, hash, RSASignaturePadding.Pkcs1) : new CertificateRequest($"CN={Hosts[0]}", (ECDsa)key, hash);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in Hosts) san.AddDnsName(n);
        request.CertificateExtensions.Add(san.Build());
        foreach (var e in extensions) request.CertificateExtensions.Add(e);
        using var rsaRoot = RSA.Create(2048);
        X509Certificate2 issuer;
        X509SignatureGenerator signer;
        string rest;
        if (hash == HashAlgorithmName.SHA1)
        {
            var rootRequest = new CertificateRequest("CN=Test RSA Root", rsaRoot, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            issuer = rootRequest.CreateSelfSigned(DateTime.UtcNow.AddDays(-10), DateTime.UtcNow.AddYears(5));
            signer = new Sha1WithRsa(rsaRoot);
            rest = Pem(issuer);
        }
        else
        {
            var (root, inter, _, _) = Chain(Hosts);
            (issuer, signer, rest) = (inter, X509SignatureGenerator.CreateForECDsa(inter.GetECDsaPrivateKey()!), Pem(inter, root));
        }
        var leaf = request.Create(issuer.SubjectName, signer, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(90), [7, 8, 9]);
        return (Pem(leaf) + rest, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Signs sha1WithRSAEncryption, as CAs did before 2016.</summary>
    sealed class Sha1WithRsa(RSA key) : X509SignatureGenerator
    {
        protected override PublicKey BuildPublicKey() => PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00];
        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
    }

    static X509EnhancedKeyUsageExtension Eku(string oid) => new([new Oid(oid)], false);

    [Theory]
    [InlineData("ca", "basic constraints CA:TRUE")]
    [InlineData("eku", "lacks serverAuth (1.3.6.1.5.5.7.3.1)")]
    [InlineData("ku", "allows neither digitalSignature")]
    [InlineData("rsa-ku", "allows neither digitalSignature nor keyEncipherment")]
    [InlineData("rsa1024", "its RSA key has 1024 bits")]
    [InlineData("ec224", "its EC key has 224 bits")]
    [InlineData("sha1", "signed with SHA-1")]
    public void A_certificate_unfit_for_a_site_is_refused_up_front_saying_what_to_ask_the_CA_for(string how, string why)
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa2048 = RSA.Create(2048);
        using var rsa1024 = RSA.Create(1024);
        using var p224 = ECDsa.Create(ECCurve.CreateFromValue("1.3.132.0.33"));
        var (chain, key) = how switch
        {
            "ca" => Leaf(p256, HashAlgorithmName.SHA256, new X509BasicConstraintsExtension(true, false, 0, true)),
            "eku" => Leaf(p256, HashAlgorithmName.SHA256, Eku("1.3.6.1.5.5.7.3.2")),
            "ku" => Leaf(p256, HashAlgorithmName.SHA256, new X509KeyUsageExtension(X509KeyUsageFlags.KeyAgreement, true)),
            "rsa-ku" => Leaf(rsa2048, HashAlgorithmName.SHA256, new X509KeyUsageExtension(X509KeyUsageFlags.DataEncipherment, true)),
            "rsa1024" => Leaf(rsa1024, HashAlgorithmName.SHA256),
            "ec224" => Leaf(p224, HashAlgorithmName.SHA256),
            "sha1" => Leaf(p256, HashAlgorithmName.SHA1),
            _ => throw new ArgumentException(how),
        };
        var ex = Refused(() => CertificateFiles.Check(Write("full.pem", chain), Write("key.pem", key), Hosts));
        Assert.Equal("CertificateRefused", ex.ErrorId);
        Assert.Contains(why, ex.Message);
        Assert.Contains("Have the CA issue the site a certificate for TLS servers", ex.Message);
    }

    [Fact]
    public void A_server_s_certificate_with_an_RSA_key_for_key_encipherment_alone_passes_and_a_CA_s_is_refused_before_anything_is_written()
    {
        using var rsa = RSA.Create(2048);
        var (chain, key) = Leaf(rsa, HashAlgorithmName.SHA384, new X509BasicConstraintsExtension(false, false, 0, true),
            new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, true), Eku("1.3.6.1.5.5.7.3.1"));
        Assert.Equal(3, CertificateFacts.Chain(CertificateFiles.Check(Write("rsa.pem", chain), Write("rsa.key", key), Hosts).CertificatePem).Count);

        using var home = new TestHome();
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ca = Leaf(p256, HashAlgorithmName.SHA256, new X509BasicConstraintsExtension(true, false, 0, true));
        var definition = new SiteDefinition(Hosts[0], "wp", Aliases: [Hosts[1]], Https: HttpsMode.Required,
            CertificatePath: Write("ca.pem", ca.Chain), CertificateKeyPath: Write("ca.key", ca.Key));
        Assert.Contains("CA:TRUE", Assert.Throws<AegirException>(() => definition.ToSite(home.Store)).Message);
        Assert.Null(home.Store.ReadFresh(Hosts[0]));
        Assert.Null(new CertificateStore(home.Path).Get(Hosts[0]));
    }

    [Fact]
    public void A_DER_roots_file_is_refused_as_no_PEM_text_saying_how_to_convert_it_and_nothing_is_written()
    {
        var (root, _, _, _) = Chain(Hosts);
        var der = Path.Combine(_dir, "root.der");
        File.WriteAllBytes(der, root.RawData);
        var home = Path.Combine(_dir, "home");
        var ex = Assert.Throws<AegirException>(() => AcmeSettings.ImportRoots(home, der));
        Assert.Equal("CertificateRefused", ex.ErrorId);
        Assert.Contains("AcmeRootCertificate", ex.Message);
        Assert.Contains("it is not PEM text (a DER or PKCS#12 file?)", ex.Message);
        Assert.Contains($"openssl x509 -inform der -in {der} -out {der}.pem", ex.Message);
        Assert.DoesNotContain("Unable to translate", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(home, "certificates")));
    }

    [Fact]
    public void A_former_roots_file_leaves_the_store_once_no_server_names_it()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var home = hosting.Home.Path;
        var (first, _, _, _) = Chain(Hosts);
        var (second, _, _, _) = Chain(Hosts);
        var a = AcmeSettings.ImportRoots(home, Write("a.pem", Pem(first)));
        var b = AcmeSettings.ImportRoots(home, Write("b.pem", Pem(second)));
        IEnumerable<AegirServer> Servers() => hosting.Store.List(ContextType.Server).Contexts.OfType<AegirServer>();
        hosting.Store.Modify("server_master", "Name", (AegirServer s) => s.Http.Set("acme_roots", a));
        Assert.False(AcmeSettings.ForgetRoots(home, a, Servers()));
        Assert.True(File.Exists(a));
        hosting.Store.Modify("server_master", "Name", (AegirServer s) => s.Http.Set("acme_roots", b));
        Assert.True(AcmeSettings.ForgetRoots(home, a, Servers()));
        Assert.False(File.Exists(a));
        Assert.True(File.Exists(b));
        // Only the store's roots files: never a file elsewhere a record might name.
        var outside = Write("roots-outside.pem", Pem(first));
        Assert.False(AcmeSettings.ForgetRoots(home, outside, Servers()));
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void A_link_to_a_good_file_is_refused_and_so_is_a_fifo()
    {
        var (root, inter, leaf, key) = Chain(Hosts);
        var real = Write("full.pem", Pem(leaf, inter, root));
        var keyPath = Write("key.pem", key.ExportPkcs8PrivateKeyPem());
        var link = Path.Combine(_dir, "live.pem");
        File.CreateSymbolicLink(link, real);
        Assert.Contains("symbolic link", Refused(() => CertificateFiles.Check(link, keyPath, Hosts)).Message);
        var keyLink = Path.Combine(_dir, "key-link.pem");
        File.CreateSymbolicLink(keyLink, keyPath);
        Assert.Contains("symbolic link", Refused(() => CertificateFiles.Check(real, keyLink, Hosts)).Message);
        var fifo = Path.Combine(_dir, "fifo.pem");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        Assert.Contains("not a plain file", Refused(() => CertificateFiles.Check(real, fifo, Hosts)).Message);
        Assert.Contains("not a plain file", Refused(() => CertificateFiles.Check(_dir, keyPath, Hosts)).Message);
    }

    [Fact]
    public void An_encrypted_key_a_key_in_the_certificate_file_and_no_key_at_all_are_each_refused()
    {
        var (root, inter, leaf, key) = Chain(Hosts);
        var full = Write("full.pem", Pem(leaf, inter, root));
        var encrypted = key.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        Assert.Contains("encrypted", Refused(() => CertificateFiles.Check(full, Write("enc.pem", encrypted), Hosts)).Message);
        var both = Write("both.pem", Pem(leaf, inter, root) + key.ExportPkcs8PrivateKeyPem());
        Assert.Contains("holds a private key as well", Refused(() => CertificateFiles.Check(both, Write("key.pem", key.ExportPkcs8PrivateKeyPem()), Hosts)).Message);
        Assert.Contains("no RSA or ECDSA private key", Refused(() => CertificateFiles.Check(full, Write("junk.pem", "hello"), Hosts)).Message);
        Assert.Contains("no such file", Refused(() => CertificateFiles.Check(Path.Combine(_dir, "none.pem"), full, Hosts)).Message);
        Assert.Contains("not a full path", Refused(() => CertificateFiles.Check("full.pem", full, Hosts)).Message);
    }

    [Fact]
    public void A_self_signed_certificate_made_here_covers_every_name_and_passes_the_checks_given_files_pass()
    {
        var (certificate, key) = SelfSignedCertificate.Make(Hosts);
        var files = CertificateFiles.Check(Write("self.pem", certificate), Write("self.key", key), Hosts);
        Assert.True(CertificateFacts.IsSelfSigned(files.Leaf));
        Assert.Equal(Hosts, CertificateFacts.Names(files.Leaf));
    }

    [Theory]
    [InlineData("shop.example.com", true)]
    [InlineData("blog.test", false)]
    [InlineData("printer.local", false)]
    [InlineData("intranet", false)]
    [InlineData("a.home.arpa", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("shop.example", false)]
    public void Only_names_a_public_ca_would_sign_are_asked_of_one(string host, bool signable)
        => Assert.Equal(signable, CertificateNames.PubliclySignable(host));

    [Fact]
    public void The_store_keeps_keys_0600_in_0700_folders_and_an_undo_puts_the_previous_certificate_back()
    {
        var store = new CertificateStore(Path.Combine(_dir, "home"));
        var (c1, k1) = SelfSignedCertificate.Make(Hosts);
        var first = store.Save(Hosts[0], CertificateSource.SelfSigned, c1, k1);
        var saved = store.MetaText(Hosts[0]);
        var (c2, k2) = SelfSignedCertificate.Make([.. Hosts, "shop.example.org"]);
        var second = store.Save(Hosts[0], CertificateSource.SelfSigned, c2, k2);
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.Equal(second.Thumbprint, store.Get(Hosts[0])!.Thumbprint);
        var folder = Path.Combine(store.Folder, Hosts[0]);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        foreach (var dir in Directory.EnumerateDirectories(folder).Append(folder).Append(store.Folder))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        Assert.DoesNotContain("PRIVATE", File.ReadAllText(Path.Combine(folder, "certificate.json")));

        store.Restore(Hosts[0], saved);
        Assert.Equal(first.Thumbprint, store.Get(Hosts[0])!.Thumbprint);
        Assert.Equal(k1, store.Files(store.Get(Hosts[0])!).KeyPem);
        Assert.Single(Directory.EnumerateDirectories(folder));
        store.Restore(Hosts[0], null);
        Assert.False(Directory.Exists(folder));
        Assert.Null(store.Get(Hosts[0]));
    }

    [Fact]
    public void A_refused_file_changes_neither_the_record_nor_the_store()
    {
        using var home = new TestHome();
        var (root, inter, leaf, _) = Chain(Hosts);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var definition = new SiteDefinition(Hosts[0], "wp", Aliases: [Hosts[1]], Https: HttpsMode.Required,
            CertificatePath: Write("full.pem", Pem(leaf, inter, root)), CertificateKeyPath: Write("key.pem", other.ExportPkcs8PrivateKeyPem()));
        var ex = Assert.Throws<AegirException>(() => definition.ToSite(home.Store));
        Assert.Equal("CertificateRefused", ex.ErrorId);
        Assert.Null(home.Store.ReadFresh(Hosts[0]));
        Assert.Null(new CertificateStore(home.Path).Get(Hosts[0]));
    }

    [Fact]
    public void Files_given_mean_the_file_source_and_come_with_their_key()
    {
        var site = new AegirSite(Hosts[0]) { PlatformName = "wp" };
        var ex = Assert.Throws<AegirException>(() => new SiteChanges { CertificatePath = "/x.pem" }.ApplyTo(site));
        Assert.Contains("-CertificateKeyPath", ex.Message);
        ex = Assert.Throws<AegirException>(() => new SiteChanges { CertificatePath = "/x.pem", CertificateKeyPath = "/x.key", CertificateSource = CertificateSource.SelfSigned }.ApplyTo(site));
        Assert.Contains("File source", ex.Message);
        new SiteChanges { Https = HttpsMode.Required, CertificatePath = "/x.pem", CertificateKeyPath = "/x.key" }.ApplyTo(site);
        Assert.Equal(CertificateSource.File, site.CertificateSource);
        Assert.Equal(HttpsMode.Required, site.Https);
    }

    [Fact]
    public void The_file_source_without_files_needs_a_stored_certificate_that_covers_the_site()
    {
        using var home = new TestHome();
        var definition = new SiteDefinition(Hosts[0], "wp", Https: HttpsMode.Enabled, CertificateSource: CertificateSource.File);
        var ex = Assert.Throws<AegirException>(() => definition.ToSite(home.Store));
        Assert.Contains("holds no certificate file given", ex.Message);
    }

    [Fact]
    public void A_site_served_over_https_gets_a_certificate_for_every_name_pushed_beside_its_vhost_and_a_new_one_for_a_new_alias()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var outcome = hosting.Run(new VerifySite.Parameters("blog.test", new SiteChanges { Https = HttpsMode.Required }));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var store = new CertificateStore(hosting.Home.Path);
        var first = store.Get("blog.test")!;
        Assert.Equal(["blog.test", "www.blog.test"], first.Names);
        Assert.Contains(outcome.Task.Log, e => e.Level == Tasks.TaskLogLevel.Warning && e.Message.Contains("no public CA signs blog.test, www.blog.test"));
        var vhost = hosting.Server.Text(hosting.VhostPath("blog.test"));
        var tls = Path.Combine(hosting.Home.Path, "config", "server_master", "tls");
        Assert.Contains($"ssl_certificate_key {tls}/blog.test.key;", vhost);
        Assert.Contains("return 301 https://$host", vhost);
        Assert.Contains("Strict-Transport-Security", vhost);
        Assert.Equal(store.Files(first).KeyPem, hosting.Server.Text(Path.Combine(tls, "blog.test.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, hosting.Server.GetMode(Path.Combine(tls, "blog.test.key")));
        Assert.DoesNotContain(outcome.Task.Log, e => e.Message.Contains("PRIVATE KEY"));

        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test", new SiteChanges { AddAliases = ["shop.test"] })).Succeeded);
        var second = store.Get("blog.test")!;
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.Equal(["blog.test", "www.blog.test", "shop.test"], second.Names);

        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test")).Succeeded);
        Assert.Equal(second.Thumbprint, store.Get("blog.test")!.Thumbprint);   // a fitting certificate stays
    }

    [Fact]
    public void An_alias_a_certificate_file_does_not_cover_is_refused_before_anything_changes()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var (root, inter, leaf, key) = Chain(["blog.test", "www.blog.test"]);
        var given = new SiteChanges { Https = HttpsMode.Enabled, CertificatePath = Write("full.pem", Pem(leaf, inter, root)), CertificateKeyPath = Write("key.pem", key.ExportPkcs8PrivateKeyPem()) };
        Assert.True(hosting.Run(new VerifySite.Parameters("blog.test", given)).Succeeded);
        Assert.Equal(leaf.GetCertHashString(HashAlgorithmName.SHA256), new CertificateStore(hosting.Home.Path).Get("blog.test")!.Thumbprint);
        var before = hosting.Snapshot();
        var ex = Assert.Throws<AegirException>(() => SiteUpdate.Check(hosting.Engine, "blog.test", new SiteChanges { AddAliases = ["shop.test"] }));
        Assert.Contains("does not cover shop.test", ex.Message);
        Assert.Equal(before, hosting.Snapshot());
    }

    /// <summary>A hosting whose web server is another machine (its HTTPS port refused at once from here, so the check from here fails fast).</summary>
    static FakeHosting Remote()
    {
        var hosting = new FakeHosting();
        var web = new AegirServer("server_web1") { RemoteHost = "192.0.2.10" };
        web.Http.ChangeType("nginx");
        web.Http.Set("php_pools", "shared");
        web.Http.Set("listen_address", "127.0.0.1");
        web.Http.Set("https_port", "1");
        hosting.Store.Create(web);
        var platform = hosting.Platform("remote", "php");
        hosting.Store.Modify<AegirPlatform>(platform.Name, "Name", pl => pl.WebServerName = "web1");
        return hosting;
    }

    [Fact]
    public void A_site_over_HTTPS_on_another_machine_gets_its_certificate_and_key_there_root_s_0600_and_is_asked_over_HTTPS()
    {
        using var hosting = Remote();
        var outcome = hosting.Run(new InstallSite.Parameters("far.test", null, null,
            new SiteDefinition("far.test", "remote", Https: HttpsMode.Required, CertificateSource: CertificateSource.SelfSigned)));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var stored = new CertificateStore(hosting.Home.Path).Get("far.test")!;
        const string tls = "/var/aegir/config/server_web1/tls/";
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, hosting.Server.GetMode(tls + "far.test.key"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, hosting.Server.GetMode(tls + "far.test.crt"));
        Assert.Equal(stored.Thumbprint, X509Certificate2.CreateFromPem(hosting.Server.Text(tls + "far.test.crt")).GetCertHashString(HashAlgorithmName.SHA256));
        Assert.Contains("ssl_certificate_key " + tls + "far.test.key", hosting.Server.Text("/var/aegir/config/server_web1/nginx/vhost.d/far.test.conf"));
        // Asked from this machine too, over HTTPS at the web server's HTTPS port (refused here at once).
        Assert.Contains(outcome.Task.Log, e => e.Level == Tasks.TaskLogLevel.Warning && e.Message.StartsWith("https://far.test/ answers on '@server_web1' but not from this machine (127.0.0.1:1)", StringComparison.Ordinal));

        Assert.True(hosting.Run(new DeleteSite.Parameters("far.test", Backup: false)).Succeeded);
        Assert.Equal(PathKind.None, hosting.Server.Kind(tls + "far.test.key"));
        Assert.Equal(PathKind.None, hosting.Server.Kind(tls + "far.test.crt"));
    }

    [Fact]
    public void A_site_of_the_LetsEncrypt_source_on_another_machine_serves_a_self_signed_certificate_with_a_warning_saying_why()
    {
        using var hosting = Remote();
        hosting.Store.Modify("server_web1", "Name", (AegirServer s) => s.Http.Set("acme_email", "ops@example.com"));
        var outcome = hosting.Run(new InstallSite.Parameters("far.test", null, null,
            new SiteDefinition("far.test", "remote", Https: HttpsMode.Enabled, CertificateSource: CertificateSource.LetsEncrypt)));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.True(new CertificateStore(hosting.Home.Path).Get("far.test")!.SelfSigned);
        Assert.Contains(outcome.Task.Log, e => e.Level == Tasks.TaskLogLevel.Warning
            && e.Message.Contains("far.test gets a self-signed certificate: '@server_web1' is another machine", StringComparison.Ordinal) && e.Message.Contains("HTTP-01", StringComparison.Ordinal));
        var renew = Assert.Throws<AegirException>(() => hosting.Engine.Plan(new RenewCertificate.Parameters("far.test")));
        Assert.Equal("AcmeUnavailable", renew.ErrorId);
        Assert.Contains("'@server_web1' is another machine", renew.Message);
        Assert.Contains("HTTP-01 challenge files are written on this machine", renew.Message);
        // Update-AegirCertificate refuses it the same way before any task (no Failed task on record).
        var tasks = hosting.Engine.Runner.Store.List().Count();
        Assert.Equal(renew.Message, Assert.Throws<AegirException>(() => RenewCertificate.Check(hosting.Engine, "far.test")).Message);
        Assert.Equal(tasks, hosting.Engine.Runner.Store.List().Count());
        // Nor does the renewal schedule ask for it each round, only to fail.
        Assert.DoesNotContain(new Schedules.SiteSchedules(hosting.Engine, Schedules.ScheduleKinds.Certificate).Due(DateTimeOffset.UtcNow), w => w.Key == "certificate:far.test");
    }
}
