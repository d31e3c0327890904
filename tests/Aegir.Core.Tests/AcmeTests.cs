using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Schedules;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Transport;
using Xunit;

namespace Aegir.Core.Tests;

/// <summary>
/// The ACME part without a CA: the settings a web server takes (checked, the roots file refused when hostile), which
/// names a public CA is asked for, when the renewal schedule renews (30 days, backoff after failures), when a failing
/// renewal makes a site unhealthy (14 days), and the CA's error picked out of lego's output.
/// </summary>
public sealed class AcmeTests : IDisposable
{
    static readonly DateTime Now = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);
    static readonly string[] Hosts = ["shop.example.com", "www.shop.example.com"];
    readonly string _dir = Directory.CreateTempSubdirectory("aegir-acme-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static AegirCertificate Cert(int daysLeft, bool selfSigned = false, int failures = 0, DateTime? lastTry = null, string[]? names = null) => new()
    {
        Site = Hosts[0], Source = CertificateSource.LetsEncrypt, Names = names ?? Hosts, Subject = "CN=" + Hosts[0], Issuer = selfSigned ? "CN=" + Hosts[0] : "CN=Pebble Intermediate",
        NotBefore = Now.AddDays(daysLeft - 90), NotAfter = Now.AddDays(daysLeft), Thumbprint = "AB", SelfSigned = selfSigned, Stored = Now.AddDays(-1), Generation = "g",
        RenewalFailures = failures, LastRenewalTime = lastTry, LastRenewal = failures > 0 ? "failed: urn:ietf:params:acme:error:connection" : null,
    };

    [Fact]
    public void A_placeholder_a_missing_name_or_fewer_than_30_days_left_is_due_now()
    {
        Assert.True(RenewalPolicy.Due(null, Hosts, Now));
        Assert.True(RenewalPolicy.Due(Cert(380, selfSigned: true), Hosts, Now));
        Assert.True(RenewalPolicy.Due(Cert(80, names: [Hosts[0]]), Hosts, Now));
        Assert.True(RenewalPolicy.Due(Cert(29), Hosts, Now));
        Assert.False(RenewalPolicy.Due(Cert(31), Hosts, Now));
        // Not due: the next attempt is when 30 days are left.
        Assert.Equal(Now.AddDays(60), RenewalPolicy.NextAttempt(Cert(90), Hosts, Now));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 24)]
    [InlineData(100, 24)]
    public void After_failures_the_wait_doubles_from_an_hour_to_a_day(int failures, int hours)
        => Assert.Equal(TimeSpan.FromHours(hours), RenewalPolicy.Backoff(failures));

    [Fact]
    public void A_failed_renewal_is_tried_again_only_after_its_backoff()
    {
        Assert.False(RenewalPolicy.Due(Cert(20, failures: 1, lastTry: Now.AddMinutes(-30)), Hosts, Now));
        Assert.Equal(Now.AddMinutes(30), RenewalPolicy.NextAttempt(Cert(20, failures: 1, lastTry: Now.AddMinutes(-30)), Hosts, Now));
        Assert.True(RenewalPolicy.Due(Cert(20, failures: 1, lastTry: Now.AddMinutes(-61)), Hosts, Now));
        Assert.False(RenewalPolicy.Due(Cert(20, failures: 3, lastTry: Now.AddHours(-3)), Hosts, Now));
        Assert.True(RenewalPolicy.Due(Cert(20, failures: 3, lastTry: Now.AddHours(-4)), Hosts, Now));
    }

    [Fact]
    public void Within_14_days_of_its_end_a_failing_renewal_is_a_problem_with_the_CA_s_error()
    {
        var problem = RenewalPolicy.Problem(Cert(13, failures: 2, lastTry: Now.AddHours(-1)), Now);
        Assert.Contains("renewal failed 2 time(s)", problem);
        Assert.Contains("urn:ietf:params:acme:error:connection", problem);
        Assert.Contains("expired", RenewalPolicy.Problem(Cert(-1, failures: 1, lastTry: Now), Now));
        Assert.Null(RenewalPolicy.Problem(Cert(15, failures: 4, lastTry: Now), Now));
        Assert.Null(RenewalPolicy.Problem(Cert(5), Now));
        Assert.Null(RenewalPolicy.Problem(null, Now));
    }

    [Fact]
    public void A_placeholder_the_CA_refused_and_a_certificate_file_near_its_end_are_problems()
    {
        var refused = RenewalPolicy.Problem(Cert(396, selfSigned: true, failures: 1, lastTry: Now), Now);
        Assert.Contains("self-signed placeholder", refused);
        Assert.Contains("urn:ietf:params:acme:error:connection", refused);
        Assert.Null(RenewalPolicy.Problem(Cert(396, selfSigned: true), Now));
        var given = Cert(10) with { Source = CertificateSource.File };
        Assert.Contains("Set-AegirSite shop.example.com -CertificatePath", RenewalPolicy.Problem(given, Now));
        Assert.Contains("expired", RenewalPolicy.Problem(Cert(-1) with { Source = CertificateSource.File }, Now));
        Assert.Null(RenewalPolicy.Problem(Cert(20) with { Source = CertificateSource.File }, Now));
    }

    [Fact]
    public void A_site_of_the_LetsEncrypt_source_is_unhealthy_for_a_failing_renewal_near_its_end()
    {
        var site = new AegirSite(Hosts[0]) { PlatformName = "wp", Status = SiteStatus.Installed, Https = HttpsMode.Enabled, CronInterval = "off" };
        var state = new SiteState();
        var now = new DateTimeOffset(Now);
        var sick = SiteHealth.Of(site, state, now, certificate: Cert(10, failures: 1, lastTry: Now.AddHours(-2)));
        Assert.False(sick.Healthy);
        Assert.Contains("acme:error", Assert.Single(sick.Problems));
        Assert.True(SiteHealth.Of(site, state, now, certificate: Cert(20, failures: 1, lastTry: Now)).Healthy);
        site.Https = HttpsMode.Disabled;
        Assert.True(SiteHealth.Of(site, state, now, certificate: Cert(10, failures: 1, lastTry: Now)).Healthy);
    }

    [Fact]
    public void Let_s_Encrypt_is_asked_for_public_names_only_and_a_private_directory_for_any()
    {
        var le = new AcmeSettings(AcmeSettings.LetsEncrypt, "ops@example.com", null);
        var staging = new AcmeSettings("https://acme-staging-v02.api.letsencrypt.org/directory", "ops@example.com", null);
        var pebble = new AcmeSettings("https://127.0.0.1:14000/dir", "ops@example.com", null);
        string[] names = ["shop.test", "www.shop.example.com", "localhost", "10.0.0.1"];
        Assert.Equal(["shop.test", "localhost", "10.0.0.1"], le.Unsignable(names));
        Assert.True(staging.PublicCa);
        Assert.Empty(pebble.Unsignable(names));
    }

    [Fact]
    public void A_web_server_takes_an_https_directory_and_an_email_and_refuses_others()
    {
        var server = new AegirServer("master");
        server.Http.ChangeType("nginx");
        Assert.Equal(AcmeSettings.LetsEncrypt, AcmeSettings.Of(server).Directory);
        Assert.Null(AcmeSettings.Of(server).Email);
        server.Http.Set("acme_directory", "https://127.0.0.1:14000/dir");
        server.Http.Set("acme_email", "ops@example.com");
        Assert.Equal(new AcmeSettings("https://127.0.0.1:14000/dir", "ops@example.com", null), AcmeSettings.Of(server));
        foreach (var bad in new[] { "http://ca.example.com/dir", "https://user:pw@ca.example.com/dir", "https://ca.example.com/dir?x=1", "ca.example.com/dir", "https://bad host/dir" })
            Assert.Contains("acme_directory", Assert.Throws<AegirException>(() => server.Http.Set("acme_directory", bad)).Message);
        Assert.Throws<AegirException>(() => server.Http.Set("acme_email", "ops"));
        Assert.Equal("https://127.0.0.1:14000/dir", AcmeSettings.Of(server).Directory);
    }

    static X509Certificate2 Root(DateTime notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Private ACME Root", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(notAfter.AddYears(-1), notAfter);
    }

    string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_roots_file_is_copied_into_the_store_private_and_named_by_its_content()
    {
        var home = Path.Combine(_dir, "home");
        var pem = Root(DateTime.UtcNow.AddYears(1)).ExportCertificatePem();
        var copy = AcmeSettings.ImportRoots(home, Write("roots.pem", pem));
        Assert.StartsWith(Path.Combine(home, "certificates", "_acme", "roots-"), copy);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));
        Assert.Equal(copy, AcmeSettings.ImportRoots(home, Write("again.pem", pem)));
    }

    [Fact]
    public void A_roots_file_with_a_key_no_certificate_an_expired_root_or_behind_a_link_is_refused_and_nothing_written()
    {
        var home = Path.Combine(_dir, "home");
        var root = Root(DateTime.UtcNow.AddYears(1)).ExportCertificatePem();
        using var key = ECDsa.Create();
        var cases = new (string Path, string Says)[]
        {
            (Write("key.pem", root + "\n" + key.ExportPkcs8PrivateKeyPem()), "private key"),
            (Write("empty.pem", "nothing here\n"), "no certificate"),
            (Write("old.pem", Root(DateTime.UtcNow.AddDays(-1)).ExportCertificatePem()), "expired"),
            (Path.Combine(_dir, "missing.pem"), "no such file"),
            ("relative.pem", "full path"),
        };
        File.CreateSymbolicLink(Path.Combine(_dir, "link.pem"), Write("target.pem", root));
        foreach (var (path, says) in cases.Append((Path.Combine(_dir, "link.pem"), "plain file")))
        {
            var error = Assert.Throws<AegirException>(() => AcmeSettings.ImportRoots(home, path));
            Assert.Equal("CertificateRefused", error.ErrorId);
            Assert.Contains(says, error.Message);
        }
        Assert.False(Directory.Exists(Path.Combine(home, "certificates")));
    }

    [Fact]
    public void Lego_started_drops_the_run_folders_of_dead_processes_and_old_ones_of_no_known_owner_and_says_an_unreachable_directory_is_so()
    {
        // Real lego against a port nothing listens on: it fails at once, after dropping what killed runs left.
        var acme = Path.Combine(_dir, "certificates", AcmeSettings.Folder);
        Directory.CreateDirectory(acme);
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        string Run(string name, bool old = false)
        {
            var dir = Path.Combine(acme, name);
            Directory.CreateDirectory(Path.Combine(dir, "accounts"));
            File.WriteAllText(Path.Combine(dir, "accounts", "x.key"), "a copy of the account key");
            if (old) Directory.SetLastWriteTimeUtc(dir, DateTime.UtcNow.AddHours(-1));
            return dir;
        }
        var killed = Run(LegoClient.RunName(gone.Id, 12345));
        var reused = Run(LegoClient.RunName(Environment.ProcessId, Tasks.ProcessIdentity.CurrentStart + 1));   // our pid, another process's start
        var running = Run(LegoClient.RunName(Environment.ProcessId, Tasks.ProcessIdentity.CurrentStart));
        var unknownOld = Run("run-" + Guid.NewGuid().ToString("N"), old: true);
        var unknownNew = Run("run-" + Guid.NewGuid().ToString("N"));
        var webroot = Directory.CreateDirectory(Path.Combine(_dir, "webroot")).FullName;

        var error = Assert.Throws<AegirException>(() => new LegoClient(_dir).Obtain(new AcmeSettings("https://127.0.0.1:9/nothing", "ops@example.com", null), ["shop.test"], webroot, _ => { }));

        Assert.False(Directory.Exists(killed));
        Assert.False(Directory.Exists(reused));
        Assert.False(Directory.Exists(unknownOld));
        Assert.True(Directory.Exists(running));
        Assert.True(Directory.Exists(unknownNew));
        Assert.Equal(new[] { running, unknownNew }.Order(), Directory.EnumerateDirectories(acme, "run-*").Order());
        Assert.Equal("AcmeUnreachable", error.ErrorId);
        Assert.StartsWith("The ACME directory https://127.0.0.1:9/nothing cannot be reached (connection refused)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Set-AegirServer -AcmeDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("-AcmeRootCertificate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("No key found", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("run-", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-challenge", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Get \"https://example.invalid/dir\": dial tcp: lookup example.invalid on 10.255.255.53:53: no such host", "no such host")]
    [InlineData("Get \"https://10.1.1.1/dir\": dial tcp 10.1.1.1:443: i/o timeout", "no answer in time")]
    [InlineData("Get \"https://ca.test/dir\": tls: failed to verify certificate: x509: certificate signed by unknown authority", "its TLS certificate is not trusted: certificate signed by unknown authority")]
    public void A_directory_lego_cannot_fetch_is_named_with_its_cause_in_a_few_words_without_the_account_key_chatter(string cause, string said)
    {
        var output = $"""
            2026/12/07 22:07:00 No key found for account ops@example.com. Generating a P256 key.
            2026/12/07 22:07:00 Saved key to /var/lib/aegir/certificates/_acme/run-1-2-abc/accounts/ca.test/ops@example.com/keys/ops@example.com.key
            2026/12/07 22:07:00 Could not create client: get directory at 'https://ca.test/dir': {cause}
            """;
        var error = LegoClient.Failure("shop.test", "https://ca.test/dir", new CommandResult(1, "", output, TimeSpan.FromSeconds(1)));
        Assert.Equal("AcmeUnreachable", error.ErrorId);
        Assert.StartsWith($"The ACME directory https://ca.test/dir cannot be reached ({said}), so no certificate was asked for shop.test;", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("No key found", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Saved key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_challenge_the_CA_refused_keeps_the_advice_on_names_and_other_failures_do_not_get_it()
    {
        var refused = LegoClient.Failure("shop.test", "https://ca.test/dir", new CommandResult(1, "",
            "2026/12/07 22:07:00 Saved key to /x/run-1-2-a/k.key\n[shop.test] acme: error: 403 :: urn:ietf:params:acme:error:unauthorized :: Invalid response", TimeSpan.Zero));
        Assert.Equal("AcmeFailed", refused.ErrorId);
        Assert.Contains("urn:ietf:params:acme:error:unauthorized", refused.Message, StringComparison.Ordinal);
        Assert.Contains("acme-challenge", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Saved key", refused.Message, StringComparison.Ordinal);
        var other = LegoClient.Failure("shop.test", "https://ca.test/dir", new CommandResult(1, "",
            "2026/12/07 22:07:00 No key found for account a@b.test. Generating a P256 key.\n2026/12/07 22:07:00 something odd", TimeSpan.Zero));
        Assert.Equal("AcmeFailed", other.ErrorId);
        Assert.Contains(": something odd. The certificate it had keeps serving. Run Update-AegirCertificate shop.test to try again.", other.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("No key found", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_CA_s_error_is_picked_out_of_lego_s_output_without_its_log_prefix()
    {
        var output = """
            2026/12/07 18:11:27 [INFO] [shop.test] acme: Obtaining bundled SAN certificate given a CSR
            2026/12/07 18:11:27 [INFO] [shop.test] acme: Trying to solve HTTP-01
            2026/12/07 18:11:28 Could not obtain certificates:
            	error: one or more domains had a problem:
            [shop.test] acme: error: 400 :: urn:ietf:params:acme:error:connection :: dial tcp 127.0.0.1:1: connect: connection refused
            """;
        var error = LegoClient.AcmeError(new CommandResult(1, "", output, TimeSpan.FromSeconds(1)));
        Assert.Equal("[shop.test] acme: error: 400 :: urn:ietf:params:acme:error:connection :: dial tcp 127.0.0.1:1: connect: connection refused", error);
        Assert.Equal("lego exited with code 2", LegoClient.AcmeError(new CommandResult(2, "", "", TimeSpan.Zero)));
        Assert.Contains("no such host", LegoClient.AcmeError(new CommandResult(1, "", "2026/12/07 18:11:27 dial: no such host", TimeSpan.Zero)));
    }

    [Fact]
    public void The_renewal_schedule_renews_a_due_certificate_of_a_server_with_an_ACME_account_and_backs_off_after_a_failure()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        hosting.Store.Modify("blog.test", "Uri", (AegirSite s) => s.Https = HttpsMode.Enabled);
        var store = new CertificateStore(hosting.Home.Path);
        var (pem, key) = SelfSignedCertificate.Make(["blog.test", "www.blog.test"]);
        store.Save("blog.test", CertificateSource.LetsEncrypt, pem, key);
        var now = DateTimeOffset.UtcNow;
        // No ACME email on the web server: the placeholder stays, and no task fails each round.
        Assert.DoesNotContain(new SiteSchedules(hosting.Engine, ScheduleKinds.Certificate).Due(now), w => w.Key == "certificate:blog.test");
        hosting.Store.Modify("server_master", "Name", (AegirServer s) =>
        {
            s.Http.Set("acme_directory", "https://127.0.0.1:14000/dir");
            s.Http.Set("acme_email", "ops@example.com");
        });
        Assert.Contains(new SiteSchedules(hosting.Engine, ScheduleKinds.Certificate).Due(now), w => w.Key == "certificate:blog.test");
        // Other schedules do not renew certificates.
        Assert.DoesNotContain(new SiteSchedules(hosting.Engine, ScheduleKinds.Cron).Due(now), w => w.Key == "certificate:blog.test");
        store.NoteRenewal("blog.test", "failed: urn:ietf:params:acme:error:connection", failed: true);
        var schedule = new SiteSchedules(hosting.Engine, ScheduleKinds.Certificate);
        Assert.DoesNotContain(schedule.Due(now), w => w.Key == "certificate:blog.test");
        Assert.InRange(schedule.NextDue!.Value, now.AddMinutes(59), now.AddMinutes(61));
        Assert.Contains(schedule.Due(now.AddMinutes(61)), w => w.Key == "certificate:blog.test");
    }

    [Fact]
    public void A_renewal_of_a_site_no_CA_can_be_asked_for_is_refused_before_anything_changes()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var vhost = hosting.Server.Text(hosting.VhostPath("blog.test"));
        var plain = Assert.Throws<AegirException>(() => hosting.Engine.Plan(new Operations.Site.RenewCertificate.Parameters("blog.test")));
        Assert.Contains("served over HTTP only", plain.Message);
        hosting.Store.Modify("blog.test", "Uri", (AegirSite s) => s.Https = HttpsMode.Enabled);
        var local = Assert.Throws<AegirException>(() => hosting.Engine.Plan(new Operations.Site.RenewCertificate.Parameters("blog.test")));
        Assert.Contains("no public CA signs blog.test, www.blog.test", local.Message);
        hosting.Store.Modify("server_master", "Name", (AegirServer s) => s.Http.Set("acme_directory", "https://127.0.0.1:14000/dir"));
        var noEmail = Assert.Throws<AegirException>(() => hosting.Engine.Plan(new Operations.Site.RenewCertificate.Parameters("blog.test")));
        Assert.Contains("-AcmeEmail", noEmail.Message);
        hosting.Store.Modify("blog.test", "Uri", (AegirSite s) => s.CertificateSource = CertificateSource.SelfSigned);
        Assert.Contains("source is SelfSigned", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new Operations.Site.RenewCertificate.Parameters("blog.test"))).Message);
        // A plan reads only: the vhost is as it was, and no certificate was asked for nor stored.
        Assert.Equal(vhost, hosting.Server.Text(hosting.VhostPath("blog.test")));
        Assert.Null(new CertificateStore(hosting.Home.Path).Get("blog.test"));
    }
}
