using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Asks the web server's ACME directory for a certificate for a site of the LetsEncrypt source, for its uri and every
/// alias, over HTTP-01 through the shared challenge folder (Update-AegirCertificate, and the renewal schedule). The new
/// certificate goes into a generation of its own in the store; the vhost serving it is written and tested, the web
/// server reloads, and only then does the store put it in use, and the site must answer over HTTPS with it. A
/// failure anywhere (the CA's refusal first of all) leaves the certificate that served before serving, and the
/// store notes the CA's error for the schedule and Get-AegirSite -Unhealthy.
/// </summary>
public sealed class RenewCertificate : SiteOperation<RenewCertificate.Parameters>
{
    /// <param name="Force">Asks for a new certificate even when the one in use has more than 30 days left.</param>
    public sealed record Parameters(string Site, bool Force = false) : ISiteParameters;

    public override string Type => "certificate";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Renewing the certificate of");
        var parts = SiteParts.Resolve(site, env);
        var acme = Settings(site, parts);
        var hosts = site.HostNames().ToList();
        var store = new CertificateStore(env.Home);
        var current = store.Get(site.Uri);
        if (!p.Force && !RenewalPolicy.Needed(current, hosts, DateTime.UtcNow))
        {
            plan.Add(site.Name, PlanAction.Check, $"nothing to do: the certificate of {site.Uri} from {current!.Issuer} has {current.DaysLeft} days left (-Force renews it now)",
                ctx => ctx.Info($"The certificate of {site.Uri} has {current.DaysLeft} days left, more than {RenewalPolicy.RenewDays}: nothing to renew (-Force renews it now)."));
            return;
        }
        var webroot = parts.Web.Http.Get("acme_webroot")!;
        LegoClient.Issued? issued = null;
        AegirCertificate? staged = null;
        plan.Add(site.Name, PlanAction.Check, $"ask {acme.Directory} for a certificate for {string.Join(", ", hosts)} over HTTP-01 (challenges in {webroot})", ctx =>
            ctx.Step($"Asking {acme.Directory} for a certificate for {string.Join(", ", hosts)} (account {acme.Email}, HTTP-01 challenges in {webroot})", () =>
            {
                try { issued = new LegoClient(env.Home).Obtain(acme, hosts, webroot, ctx.Info); }
                catch (AegirException ex)
                {
                    // Noted before the task fails, so the schedule backs off and Get-AegirSite -Unhealthy can say why.
                    store.NoteRenewal(site.Uri, "failed: " + ex.Message, failed: true);
                    throw;
                }
            }));
        plan.Add(site.Name, PlanAction.Write, $"write the new certificate of {site.Uri} into a generation of its own in the certificate store", ctx =>
        {
            var old = store.MetaText(site.Uri);
            var data = old is null ? null : ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(old));
            ctx.Step($"Writing the certificate issued by {issued!.Leaf.Issuer} (until {issued.Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC) into the certificate store, not yet in use",
                () => staged = store.Stage(site.Uri, CertificateSource.LetsEncrypt, issued.CertificatePem, issued.KeyPem), JournalActions.RestoreCertificate(site.Uri, data));
        });
        plan.Add(parts.Hosting.Name, PlanAction.Write, $"write {parts.Http.SiteConfigPath(site.Uri)} with the new certificate and test the {parts.Http.Type} config of @{parts.Web.Name}", ctx =>
        {
            var tls = new SiteTls(site.Https == HttpsMode.Required, issued!.CertificatePem, issued.KeyPem, staged!.Thumbprint);
            parts.Http.WriteSite(ctx, parts.Vhost(site.Status != SiteStatus.Disabled) with { Tls = tls });
        });
        SiteSteps.Reload(plan, env, parts.Hosting, parts.Http);
        plan.Add(site.Name, PlanAction.Record, $"put the new certificate of {site.Uri} in use in the certificate store", ctx =>
            ctx.Step($"Putting the new certificate of {site.Uri} in use", () => store.Use(staged!, $"succeeded: issued by {staged!.Issuer}, until {staged.NotAfter:yyyy-MM-dd HH:mm} UTC")));
        SiteSteps.Answers(plan, parts, () => site.Status != SiteStatus.Disabled);
    }

    /// <summary>The ACME settings of the site's web server, when a certificate can be asked for the site at all.</summary>
    static AcmeSettings Settings(AegirSite site, SiteParts parts)
    {
        if (site.Https == HttpsMode.Disabled)
            throw ErrorCatalog.AcmeUnavailable(site.Uri, "it is served over HTTP only", $"Serve it over HTTPS first: Set-AegirSite {site.Uri} -Https Enabled (or Required).");
        if (site.CertificateSource != CertificateSource.LetsEncrypt)
            throw ErrorCatalog.AcmeUnavailable(site.Uri, $"its certificate source is {site.CertificateSource}", site.CertificateSource == CertificateSource.File
                ? $"Give its new certificate with Set-AegirSite {site.Uri} -CertificatePath -CertificateKeyPath, or switch it to ACME: Set-AegirSite {site.Uri} -CertificateSource LetsEncrypt."
                : $"A self-signed certificate is made anew by Invoke-AegirVerify {site.Uri}; for one from ACME: Set-AegirSite {site.Uri} -CertificateSource LetsEncrypt.");
        if (SiteCertificates.RemoteMember(parts) is { } remote)
            throw ErrorCatalog.AcmeUnavailable(site.Uri, SiteCertificates.AcmeNotThere(remote),
                $"It keeps its self-signed certificate there; for a CA's, serve it from a web server on this machine, or give the CA's certificate with Set-AegirSite {site.Uri} -CertificatePath -CertificateKeyPath.");
        var acme = AcmeSettings.Of(parts.Web);
        if (acme.Unsignable(site.HostNames()) is { Count: > 0 } local)
            throw ErrorCatalog.AcmeUnavailable(site.Uri, $"no public CA signs {string.Join(", ", local)}, and {acme.Directory} is a public CA's", "It keeps its self-signed certificate; give the site public names, or use a private ACME directory (Set-AegirServer -AcmeDirectory).");
        if (acme.Email is null)
            throw ErrorCatalog.AcmeUnavailable(site.Uri, $"the web server '@{parts.Web.Name}' has no ACME account email", $"Set one: Set-AegirServer {parts.Web.Name} -AcmeEmail <address> (and -AcmeDirectory for another CA than Let's Encrypt).");
        return acme;
    }
}
