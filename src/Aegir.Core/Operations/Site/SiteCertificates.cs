using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// A site's certificate as its record asks: the rules of the HTTPS fields, the files an admin gives (checked before
/// anything is written), the step that puts a fitting certificate in the store before the vhost is written, and what
/// the vhost and the page check take from the store.
/// </summary>
internal static class SiteCertificates
{
    /// <summary>Applies the HTTPS fields to a record: files given mean the File source, and come as a pair.</summary>
    public static void ApplyTo(AegirSite site, HttpsMode? https, CertificateSource? source, string? certificatePath, string? keyPath)
    {
        if ((certificatePath is null) != (keyPath is null))
            throw ErrorCatalog.Missing(certificatePath is null ? "CertificatePath" : "CertificateKeyPath",
                "A certificate file comes with its key file: give both -CertificatePath and -CertificateKeyPath.");
        if (certificatePath is not null && source is { } s && s != CertificateSource.File)
            throw ErrorCatalog.InvalidValue("CertificateSource", s.ToString(), "certificate files were given too, which are the File source",
                "Leave -CertificateSource out (or give File) with -CertificatePath, or leave the files out.");
        if (https is { } h) site.Https = h;
        if (source is { } src) site.CertificateSource = src;
        if (certificatePath is not null) site.CertificateSource = CertificateSource.File;
    }

    /// <summary>
    /// Checks, writing nothing, that the site can have the certificate it asks for: files given pass every check for
    /// its names; the File source without files needs a stored one that still covers them.
    /// </summary>
    public static void Check(string home, AegirSite site, CertificateGiven? given)
    {
        if (given is not null)
        {
            CertificateFiles.Check(given.CertificatePath, given.KeyPath, site.HostNames().ToList());
            return;
        }
        if (site.Https == HttpsMode.Disabled || site.CertificateSource != CertificateSource.File) return;
        if (StoredFileProblem(new CertificateStore(home).Get(site.Uri), site) is { } problem)
            throw ErrorCatalog.InvalidValue("CertificateSource", "File", problem, "Give the certificate and its key with -CertificatePath and -CertificateKeyPath.");
    }

    /// <summary>Why the stored certificate cannot serve a site of the File source; null when it can.</summary>
    static string? StoredFileProblem(AegirCertificate? stored, AegirSite site)
    {
        if (stored is not { Source: CertificateSource.File }) return $"the certificate store holds no certificate file given for {site.Uri}";
        if (CertificateNames.Uncovered(stored.Names, site.HostNames()) is { Count: > 0 } uncovered)
            return $"the certificate given for {site.Uri} does not cover {string.Join(", ", uncovered)}";
        if (stored.NotAfter <= DateTime.UtcNow) return $"the certificate given for {site.Uri} expired on {stored.NotAfter:yyyy-MM-dd}";
        return null;
    }

    /// <summary>
    /// The step that makes the store hold a certificate fitting the record (before the vhost that serves it): files
    /// given are checked again and copied; a self-signed one is made when there is none, when it misses a name, or
    /// when it is within <see cref="CertificateStore.RenewDays"/> of its end. Its undo puts the store's record back.
    /// </summary>
    public static void Plan(OperationPlan plan, SiteParts parts, CertificateGiven? given)
    {
        var site = parts.Site;
        if (site.Https == HttpsMode.Disabled && given is null) return;
        // The store is this machine's; the vhost step pushes the certificate and key to every member that serves the site.
        var remote = RemoteMember(parts);
        var what = given is not null ? $"check {given.CertificatePath} and its key {given.KeyPath}, and copy them into the certificate store"
            : $"make sure the certificate store holds a {site.CertificateSource} certificate for {string.Join(", ", site.HostNames())}";
        plan.Add(site.Name, PlanAction.Write, what, ctx => Ensure(ctx, parts.Env.Home, site, given, AcmeSettings.Of(parts.Web), remote));
    }

    /// <summary>
    /// The first web server serving the site that is another machine (null when all are this one): an ACME client's
    /// HTTP-01 challenge files are written on this machine, so no CA can check a name that leads there.
    /// </summary>
    public static string? RemoteMember(SiteParts parts) => parts.Members.FirstOrDefault(m => !ThisMachine.Is(m.Web))?.Web.Name;

    static void Ensure(TaskContext ctx, string home, AegirSite site, CertificateGiven? given, AcmeSettings acme, string? remote)
    {
        var store = new CertificateStore(home);
        var hosts = site.HostNames().ToList();
        var current = store.Get(site.Uri);
        string description;
        Func<AegirCertificate> save;
        if (given is not null)
        {
            var files = CertificateFiles.Check(given.CertificatePath, given.KeyPath, hosts);
            if (files.Leaf.NotAfter.ToUniversalTime() - DateTime.UtcNow < TimeSpan.FromDays(CertificateStore.RenewDays))
                ctx.Warn($"The certificate in {given.CertificatePath} expires on {files.Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC, within {CertificateStore.RenewDays} days, and nothing renews a certificate file: give its successor before then (Set-AegirSite {site.Uri} -CertificatePath -CertificateKeyPath), or switch to -CertificateSource LetsEncrypt. Within {RenewalPolicy.UnhealthyDays} days the site is unhealthy.");
            description = $"Copying the certificate in {given.CertificatePath} ({files.Leaf.Subject}, until {files.Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}) and its key into the certificate store";
            save = () => store.Save(site.Uri, CertificateSource.File, files.CertificatePem, files.KeyPem);
        }
        else if (site.CertificateSource == CertificateSource.File)
        {
            if (StoredFileProblem(current, site) is { } problem)
                throw ErrorCatalog.CertificateMissing(site.Uri, problem, "Give the certificate and its key with Set-AegirSite -CertificatePath -CertificateKeyPath.");
            if (current!.DaysLeft < CertificateStore.RenewDays)
                ctx.Warn($"The certificate given for {site.Uri} expires in {current.DaysLeft} days ({current.NotAfter:yyyy-MM-dd}): give a new one with Set-AegirSite -CertificatePath -CertificateKeyPath.");
            return;
        }
        else if (current is not null && Fits(current, site, hosts))
        {
            ctx.Debug($"The certificate of {site.Uri} in the store fits ({current.Issuer}, {current.DaysLeft} days left).");
            return;
        }
        else if (current is { Source: CertificateSource.LetsEncrypt, SelfSigned: false } && site.CertificateSource == CertificateSource.LetsEncrypt && current.NotAfter > DateTime.UtcNow)
        {
            // A CA's certificate that misses a new alias, or nears its end, keeps serving its names until the CA issues the next.
            var next = $"until its CA issues the next, asked for once the site answers with it (Update-AegirCertificate {site.Uri} asks again)";
            if (CertificateNames.Uncovered(current.Names, hosts) is { Count: > 0 } missing)
                ctx.Warn($"The certificate of {site.Uri} from {current.Issuer} does not cover {string.Join(", ", missing)} yet: it keeps serving its names {next}.");
            else ctx.Info($"The certificate of {site.Uri} from {current.Issuer} has {current.DaysLeft} days left: it keeps serving {next}.");
            return;
        }
        else
        {
            var note = site.CertificateSource == CertificateSource.LetsEncrypt ? WhyNotAcme(site, hosts, acme, remote) : null;
            if (note is not null && remote is null && acme.Email is not null && acme.Unsignable(hosts).Count == 0) ctx.Info($"{site.Uri} gets a self-signed certificate for now: {note}.");
            else if (note is not null) ctx.Warn($"{site.Uri} gets a self-signed certificate: {note}.");
            description = $"Making a self-signed certificate for {string.Join(", ", hosts)} in the certificate store";
            save = () => store.Save(site.Uri, site.CertificateSource, SelfSigned(hosts), note);
        }
        var old = store.MetaText(site.Uri);
        var data = old is null ? null : ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(old));
        AegirCertificate? made = null;
        ctx.Step(description, () => made = save(), JournalActions.RestoreCertificate(site.Uri, data));
        ctx.Info($"The certificate of {site.Uri}: {made!.Issuer}, for {string.Join(", ", made.Names)}, until {made.NotAfter:yyyy-MM-dd}.");
    }

    static (string, string) SelfSigned(IReadOnlyList<string> hosts) => SelfSignedCertificate.Make(hosts);

    static AegirCertificate Save(this CertificateStore store, string uri, CertificateSource source, (string Certificate, string Key) pem, string? note)
        => store.Save(uri, source, pem.Certificate, pem.Key, note);

    /// <summary>Whether a stored certificate still serves the record: its source, every name, and time enough left.</summary>
    static bool Fits(AegirCertificate cert, AegirSite site, IReadOnlyList<string> hosts)
        => cert.Source == site.CertificateSource && CertificateNames.Uncovered(cert.Names, hosts).Count == 0 && cert.DaysLeft >= CertificateStore.RenewDays;

    /// <summary>Why a site of the LetsEncrypt source is served a self-signed certificate for now.</summary>
    static string WhyNotAcme(AegirSite site, IReadOnlyList<string> hosts, AcmeSettings acme, string? remote)
        => remote is not null ? $"{AcmeNotThere(remote)}; it serves HTTPS there with this self-signed certificate instead"
            : acme.Unsignable(hosts) is { Count: > 0 } local ? $"no public CA signs {string.Join(", ", local)}"
            : acme.Email is null ? $"its web server has no ACME account email yet (Set-AegirServer -AcmeEmail), so none is asked of {acme.Directory}"
            : $"it serves until {acme.Directory} issues one, asked for once the site answers (Update-AegirCertificate {site.Uri} asks again; so does the renewal schedule of Invoke-AegirQueue)";

    /// <summary>Why no certificate is asked of an ACME CA for a site one of whose web servers is another machine.</summary>
    public static string AcmeNotThere(string remote)
        => $"'@{remote}' is another machine, and this version asks an ACME CA only for sites served from this machine alone (the CA's HTTP-01 challenge files are written on this machine, where it would not look for them)";

    /// <summary>The change, past a task's point of no return, that removes a site's certificates from the store (none when it holds none).</summary>
    public static IEnumerable<JournalAction> Gone(OperationEnvironment env, string uri)
        => new CertificateStore(env.Home).Get(uri) is null ? [] : [JournalActions.RemoveCertificate(uri)];

    /// <summary>
    /// The HTTPS fields of a site under a new uri (a rename, a clone): the same mode and source, but for files given,
    /// which were for the old names: the new site gets a self-signed certificate of its own.
    /// </summary>
    public static void Carry(AegirSite from, AegirSite to)
    {
        to.Https = from.Https;
        to.CertificateSource = from.CertificateSource == CertificateSource.File ? CertificateSource.SelfSigned : from.CertificateSource;
    }

    /// <summary>The thumbprint a request to a site served over HTTPS must be shown (its stored certificate's); null for a site served over HTTP.</summary>
    public static string? Pin(SiteParts parts)
        => parts.Site.Https == HttpsMode.Disabled ? null : new CertificateStore(parts.Env.Home).Get(parts.Site.Uri)?.Thumbprint;

    /// <summary>What the vhost serves: the stored certificate of a site served over HTTPS; null for a site that is not.</summary>
    public static SiteTls? Tls(SiteParts parts)
    {
        var site = parts.Site;
        if (site.Https == HttpsMode.Disabled) return null;
        var store = new CertificateStore(parts.Env.Home);
        var cert = store.Get(site.Uri)
                   ?? throw ErrorCatalog.CertificateMissing(site.Uri, "the certificate store holds no certificate for it",
                       $"Verify the site (Invoke-AegirVerify {site.Uri}) to make one, or give one with Set-AegirSite -CertificatePath -CertificateKeyPath.");
        var (certificate, key) = store.Files(cert);
        return new SiteTls(site.Https == HttpsMode.Required, certificate, key, cert.Thumbprint);
    }
}
