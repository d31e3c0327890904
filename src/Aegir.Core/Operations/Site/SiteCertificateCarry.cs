using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// A site's certificate in its backup, and back: a backup of a site served over HTTPS holds the store's record and the
/// files of the generation in use under certificate/; a restore or an import puts them back in the store, before the
/// vhost is written, when the store holds none or one that ends sooner, and only when they pass the checks a file
/// given passes. An archive is anyone's: its record gives the source alone, every other fact is read again from the
/// PEM text, and nothing in it names a path that is followed.
/// </summary>
internal static class SiteCertificateCarry
{
    const string Meta = "certificate.json", Chain = "fullchain.pem", Key = "key.pem";

    /// <summary>Adds the site's certificate to a backup being written: none for a site served over HTTP or one the store lacks.</summary>
    public static void Add(TaskContext ctx, BackupArchiveWriter writer, SiteParts parts)
    {
        if (parts.Site.Https == HttpsMode.Disabled) return;
        var store = new CertificateStore(parts.Env.Home);
        var meta = store.MetaText(parts.Site.Uri);
        if (meta is null || store.Get(parts.Site.Uri) is not { } cert)
        {
            ctx.Warn($"The certificate store holds no certificate for {parts.Site.Uri}: the backup holds none, and a restore of it makes one as a verify would.");
            return;
        }
        (string Certificate, string Key) files;
        try { files = store.Files(cert); }
        catch (IOException ex)
        {
            ctx.Warn($"The backup holds no certificate of {parts.Site.Uri}: {ex.Message}.");
            return;
        }
        foreach (var (name, text) in new[] { (Meta, meta), (Chain, files.Certificate), (Key, files.Key) })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            writer.AddStream(BackupArchive.CertificatePrefix + name, new MemoryStream(bytes), bytes.Length);
        }
        ctx.Info($"The backup holds the certificate of {parts.Site.Uri} ({cert.Source}, {cert.Issuer}, until {cert.NotAfter:yyyy-MM-dd}) and its key.");
    }

    /// <summary>What a restore does with a backup's certificate: stores <paramref name="Files"/> (checked) as <paramref name="Source"/>, or leaves it out; <paramref name="Why"/> says which and why, at <paramref name="Level"/>.</summary>
    public sealed record Verdict(CertificateFiles.Checked? Files, CertificateSource Source, TaskLogLevel Level, string Why);

    /// <summary>
    /// Judges a backup's certificate for a site (its names, the source its record asks for as <paramref name="wanted"/>)
    /// against the store's (<paramref name="current"/>). Left out with a warning: anything the checks of a given file
    /// refuse for the backup's own site (<paramref name="archiveUri"/>), or a record that names another certificate.
    /// Left out at Info: one that no longer covers the site's names, of another source, older than the store's, or
    /// self-signed where the store holds a CA's. <paramref name="roots"/>: those the site's web server trusts for its
    /// ACME directory (a private CA's certificate chains to one of them, not to this machine's).
    /// </summary>
    public static Verdict Judge(CarriedCertificate carried, string archiveUri, AegirSite site, CertificateSource wanted, AegirCertificate? current, DateTime? now = null,
        IReadOnlyCollection<X509Certificate2>? roots = null)
    {
        Verdict Out(TaskLogLevel level, string why) => new(null, wanted, level, $"The certificate in the backup is left out: {why}");
        Verdict Refused(string why) => Out(TaskLogLevel.Warning, $"{why}; {site.Uri} gets the certificate it would get without it");
        if (carried.Problem is { } problem) return Refused(problem);
        if (carried.Missing() is { Count: > 0 } missing) return Refused($"the backup lacks {string.Join(", ", missing.Select(m => BackupArchive.CertificatePrefix + m))}");
        AegirCertificate? record;
        try { record = JsonSerializer.Deserialize(carried.Text(Meta), CertificateJson.Default.AegirCertificate); }
        catch (JsonException) { record = null; }
        if (record is null || !Enum.IsDefined(record.Source)) return Refused($"its {Meta} does not read as a certificate record");
        CertificateFiles.Checked files;
        try { files = CertificateFiles.CheckPem(carried.Text(Chain), carried.Text(Key), [archiveUri], now, Chain, roots); }
        catch (CertificateFiles.Problem p) { return Refused($"{(p.OfKey ? Key : Chain)} is refused ({p.Message})"); }
        var thumbprint = CertificateFacts.Thumbprint(files.Leaf);
        if (!string.Equals(record.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase))
            return Refused($"its {Meta} names another certificate than {Chain} holds");
        var names = CertificateFacts.Names(files.Leaf);
        var until = files.Leaf.NotAfter.ToUniversalTime();
        if (CertificateNames.Uncovered(names, site.HostNames()) is { Count: > 0 } uncovered)
            return Out(TaskLogLevel.Info, $"it names {string.Join(", ", names)}, and does not cover {string.Join(", ", uncovered)}");
        if (record.Source != wanted)
            return Out(TaskLogLevel.Info, $"it is a {record.Source} certificate, and the record of {site.Uri} asks for {wanted}");
        if (current is not null && string.Equals(current.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase))
            return Out(TaskLogLevel.Debug, "the certificate store holds it already");
        if (current is not null && until <= current.NotAfter)
            return Out(TaskLogLevel.Info, $"it ends on {until:yyyy-MM-dd}, and the one in the certificate store on {current.NotAfter:yyyy-MM-dd}");
        if (current is { SelfSigned: false } && CertificateFacts.IsSelfSigned(files.Leaf))
            return Out(TaskLogLevel.Info, $"it is self-signed, and the certificate store holds one from {current.Issuer}");
        return new(files, record.Source, TaskLogLevel.Info, $"Putting the certificate in the backup ({record.Source}, {files.Leaf.Issuer}, until {until:yyyy-MM-dd}) and its key back in the certificate store");
    }

    /// <summary>
    /// The step, once the archive is loaded and before the site's record and vhost are written, that puts the backup's
    /// certificate in the store when <see cref="Judge"/> says so; its undo puts the store's former record back. A new
    /// site (an import) whose backup says File takes that source with the certificate, else a self-signed one.
    /// </summary>
    public static void Plan(OperationPlan plan, SiteParts parts, Func<CarriedCertificate> carried, Func<BackupManifest> manifest, string label, bool creating)
    {
        var site = parts.Site;
        if (site.Https == HttpsMode.Disabled) return;
        plan.Add(site.Name, PlanAction.Write, $"put the certificate in {label} back in the certificate store, if it passes the checks of a file given and ends later than the one there", ctx =>
        {
            if (!carried().Any)
            {
                ctx.Debug($"{label} holds no certificate.");
                return;
            }
            var wanted = creating && manifest().CertificateSource == CertificateSource.File ? CertificateSource.File : site.CertificateSource;
            var store = new CertificateStore(parts.Env.Home);
            var verdict = Judge(carried(), manifest().Uri, site, wanted, store.Get(site.Uri), roots: AcmeSettings.Of(parts.Web).Roots());
            if (verdict.Files is not { } files)
            {
                ctx.Log(verdict.Level, verdict.Why + ".");
                return;
            }
            var old = store.MetaText(site.Uri);
            var data = old is null ? null : ctx.SaveData(Encoding.UTF8.GetBytes(old));
            var made = ctx.Step(verdict.Why, () => store.Save(site.Uri, verdict.Source, files.CertificatePem, files.KeyPem), JournalActions.RestoreCertificate(site.Uri, data));
            // The new site's record, written after this step, serves what was given to it where it was.
            site.CertificateSource = verdict.Source;
            ctx.Info($"The certificate of {site.Uri}: {made.Issuer}, for {string.Join(", ", made.Names)}, until {made.NotAfter:yyyy-MM-dd}, from {label}.");
        });
    }
}
