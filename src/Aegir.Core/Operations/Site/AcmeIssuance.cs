using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// The steps that ask a site's ACME directory for its certificate over HTTP-01 and serve what it issues: the new
/// certificate goes into a generation of its own in the store, the vhost serving it is written and tested, the web
/// server reloads, and only then does the store put it in use, and the site must answer over HTTPS with it.
/// Update-AegirCertificate and the renewal schedule ask on demand (a refusal fails the task); an install, a verify,
/// a rename or a clone ask once the site answers with its placeholder, when it has no CA certificate for its names
/// yet (a refusal is a warning: the placeholder serves on, and the schedule tries again after its wait).
/// </summary>
internal static class AcmeIssuance
{
    /// <summary>
    /// The asking, as a site that now answers wants it: when it is of the LetsEncrypt source, served from this
    /// machine's web servers, whose ACME account has an email, and its names are ones the directory signs. In a
    /// pipeline (<paramref name="deferInBatch"/>) it is asked once the pipeline's reload serves the site's vhost.
    /// </summary>
    /// <returns>Whether steps were added: false when the site's settings leave its CA unasked.</returns>
    public static bool PlanWanted(OperationPlan plan, SiteParts parts, bool deferInBatch = true)
    {
        var site = parts.Site;
        // The rule Update-AegirCertificate refuses by; here a site it refuses simply keeps what it has.
        if (RenewCertificate.Refusal(site, parts.Web, SiteCertificates.RemoteMember(parts), out var acme) is not null) return false;
        if (deferInBatch && parts.Env.Engine.Batch is { } batch)
            plan.Add(site.Name, PlanAction.Check, $"ask {acme.Directory} for a certificate for {site.Uri} once @{parts.Web.Name} reloads at the end of this pipeline, when it has none from it yet",
                _ => batch.Issue(site.Name));
        else Plan(plan, parts, acme, wanted: true);
        return true;
    }

    /// <summary>
    /// The steps, for a site whose settings allow asking (<see cref="RenewCertificate"/> checks them). With
    /// <paramref name="wanted"/> the CA is asked only when the store holds no certificate from it for the site's names
    /// (and no failure is waiting out its backoff), and a refusal is a warning; without, a refusal fails the task.
    /// </summary>
    public static void Plan(OperationPlan plan, SiteParts parts, AcmeSettings acme, bool wanted)
    {
        var site = parts.Site;
        var env = parts.Env;
        var hosts = site.HostNames().ToList();
        var store = new CertificateStore(env.Home);
        var webroot = parts.Web.Http.Get("acme_webroot")!;
        LegoClient.Issued? issued = null;
        AegirCertificate? staged = null;
        plan.Add(site.Name, PlanAction.Check, $"ask {acme.Directory} for a certificate for {string.Join(", ", hosts)} over HTTP-01 (challenges in {webroot}){(wanted ? ", when the store holds none from it for these names" : "")}", ctx =>
        {
            if (wanted && !Wanted(ctx, store.Get(site.Uri), site.Uri, hosts)) return;
            ctx.Step($"Asking {acme.Directory} for a certificate for {string.Join(", ", hosts)} (account {acme.Email}, HTTP-01 challenges in {webroot})", () =>
            {
                try { issued = new LegoClient(env.Home).Obtain(acme, hosts, webroot, ctx.Info); }
                catch (AegirException ex)
                {
                    // Noted before the task goes on or fails, so the schedule backs off and Get-AegirSite -Unhealthy can say why.
                    store.NoteRenewal(site.Uri, "failed: " + ex.Message, failed: true);
                    if (!wanted) throw;
                    ctx.Warn($"{site.Uri} keeps its self-signed certificate: {acme.Directory} issued none ({ex.Message.TrimEnd('.')}). The renewal schedule of Invoke-AegirQueue asks again after {RenewalPolicy.Backoff(store.Get(site.Uri)?.RenewalFailures ?? 1).TotalHours:0.#} hour(s); Update-AegirCertificate {site.Uri} asks now.");
                }
            });
        });
        plan.Add(site.Name, PlanAction.Write, $"write the new certificate of {site.Uri} into a generation of its own in the certificate store", ctx =>
        {
            if (issued is null) return;
            var old = store.MetaText(site.Uri);
            var data = old is null ? null : ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(old));
            ctx.Step($"Writing the certificate issued by {issued.Leaf.Issuer} (until {issued.Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC) into the certificate store, not yet in use",
                () => staged = store.Stage(site.Uri, CertificateSource.LetsEncrypt, issued.CertificatePem, issued.KeyPem), JournalActions.RestoreCertificate(site.Uri, data));
        });
        plan.Add(parts.Hosting.Name, PlanAction.Write, $"write {parts.Http.SiteConfigPath(site.Uri)} with the new certificate and test the {parts.Http.Type} config of @{parts.Web.Name}", ctx =>
        {
            if (issued is null) return;
            var tls = new SiteTls(site.Https == HttpsMode.Required, issued.CertificatePem, issued.KeyPem, staged!.Thumbprint);
            parts.Http.WriteSite(ctx, parts.Vhost(site.Status != SiteStatus.Disabled) with { Tls = tls });
        });
        SiteSteps.Reload(plan, env, parts.Hosting, parts.Http, () => issued is not null);
        plan.Add(site.Name, PlanAction.Record, $"put the new certificate of {site.Uri} in use in the certificate store", ctx =>
        {
            if (issued is null) return;
            ctx.Step($"Putting the new certificate of {site.Uri} in use", () => store.Use(staged!, $"succeeded: issued by {staged!.Issuer}, until {staged.NotAfter:yyyy-MM-dd HH:mm} UTC"));
        });
        SiteSteps.Answers(plan, parts, () => site.Status != SiteStatus.Disabled, when: () => issued is not null);
    }

    /// <summary>Whether a site that answers with what the store holds should ask its CA now, saying why not when it should not.</summary>
    static bool Wanted(TaskContext ctx, AegirCertificate? current, string uri, IReadOnlyList<string> hosts)
    {
        var now = DateTime.UtcNow;
        if (current is { Source: CertificateSource.LetsEncrypt, SelfSigned: false } && CertificateNames.Uncovered(current.Names, hosts).Count == 0)
        {
            ctx.Debug($"The certificate of {uri} is its CA's, for every name: renewing it is the renewal schedule's work.");
            return false;
        }
        if (RenewalPolicy.NextAttempt(current, hosts, now) is { } next && next > now)
        {
            ctx.Info($"{uri} asks its CA again after {next:yyyy-MM-dd HH:mm} UTC, as the renewal schedule backs off from its last failure ({current?.LastRenewal}); Update-AegirCertificate {uri} asks now.");
            return false;
        }
        return true;
    }
}
