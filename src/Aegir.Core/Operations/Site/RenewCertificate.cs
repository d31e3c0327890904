using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Asks the web server's ACME directory for a certificate for a site of the LetsEncrypt source, for its uri and every
/// alias, over HTTP-01 through the shared challenge folder (Update-AegirCertificate, the renewal schedule, and the end
/// of a pipeline that made sites), through <see cref="AcmeIssuance"/>. A failure anywhere (the CA's refusal first of
/// all) leaves the certificate that served before serving, and the store notes the CA's error for the schedule and
/// Get-AegirSite -Unhealthy.
/// </summary>
public sealed class RenewCertificate : SiteOperation<RenewCertificate.Parameters>
{
    /// <param name="Force">Asks for a new certificate even when the one in use has more than 30 days left.</param>
    /// <param name="Initial">The first certificate of a site a pipeline made, asked once its vhost serves: only when it has
    /// none from its CA yet, a refusal being a warning (<see cref="AcmeIssuance.PlanWanted"/>).</param>
    public sealed record Parameters(string Site, bool Force = false, bool Initial = false) : ISiteParameters;

    public override string Type => "certificate";

    public override void Plan(Parameters p, OperationPlan plan, OperationEnvironment env)
    {
        var site = SiteRules.Fresh(env, p.Site);
        SiteRules.Installed(site, "Renewing the certificate of");
        var parts = SiteParts.Resolve(site, env);
        if (p.Initial)
        {
            if (!AcmeIssuance.PlanWanted(plan, parts, deferInBatch: false))
                plan.Add(site.Name, PlanAction.Check, $"nothing to ask: {site.Uri} is not one whose CA is asked (its source, its names, or its web server's ACME settings)",
                    ctx => ctx.Debug($"{site.Uri} asks no CA for its certificate: its source, names or web server's ACME settings leave it as it is."));
            return;
        }
        var acme = Settings(site, parts.Web, SiteCertificates.RemoteMember(parts));
        var hosts = site.HostNames().ToList();
        var store = new CertificateStore(env.Home);
        var current = store.Get(site.Uri);
        if (!p.Force && !RenewalPolicy.Needed(current, hosts, DateTime.UtcNow))
        {
            plan.Add(site.Name, PlanAction.Check, $"nothing to do: the certificate of {site.Uri} from {current!.Issuer} has {current.DaysLeft} days left (-Force renews it now)",
                ctx => ctx.Info($"The certificate of {site.Uri} has {current.DaysLeft} days left, more than {RenewalPolicy.RenewDays}: nothing to renew (-Force renews it now)."));
            return;
        }
        AcmeIssuance.Plan(plan, parts, acme, wanted: false);
    }

    /// <summary>
    /// Refuses, before any task is recorded, a site no CA can be asked for (HTTPS off, another source, no ACME email...):
    /// the caller's error, with the same words the task would have failed with.
    /// </summary>
    public static void Check(Engine engine, string name)
    {
        using var env = new OperationEnvironment(engine);
        var site = SiteRules.Fresh(env, name);
        SiteRules.Installed(site, "Renewing the certificate of");
        // The web servers alone, not the site's parts: those read the platform's codebase, which the settings need not.
        var members = env.Members(env.Server(env.Store.GetFresh<AegirPlatform>(site.PlatformName, "Platform").WebServerName, "WebServer"));
        Settings(site, members[0], members.FirstOrDefault(m => !ThisMachine.Is(m))?.Name);
    }

    /// <summary>The ACME settings of the site's web server, when a certificate can be asked for the site at all.</summary>
    static AcmeSettings Settings(AegirSite site, AegirServer web, string? remote)
        => Refusal(site, web, remote, out var acme) is { } refusal ? throw refusal : acme;

    /// <summary>
    /// The one rule of whether a site's CA can be asked: null when it can (<paramref name="acme"/>: its web server's
    /// ACME settings), else the refusal naming why and the fix (<paramref name="remote"/>: a member on another machine).
    /// </summary>
    internal static AegirException? Refusal(AegirSite site, AegirServer web, string? remote, out AcmeSettings acme)
    {
        acme = AcmeSettings.Of(web);
        if (site.Https == HttpsMode.Disabled)
            return ErrorCatalog.AcmeUnavailable(site.Uri, "it is served over HTTP only", $"Serve it over HTTPS first: Set-AegirSite {site.Uri} -Https Enabled (or Required).");
        if (site.CertificateSource != CertificateSource.LetsEncrypt)
            return ErrorCatalog.AcmeUnavailable(site.Uri, $"its certificate source is {site.CertificateSource}", site.CertificateSource == CertificateSource.File
                ? $"Give its new certificate with Set-AegirSite {site.Uri} -CertificatePath -CertificateKeyPath, or switch it to ACME: Set-AegirSite {site.Uri} -CertificateSource LetsEncrypt."
                : $"A self-signed certificate is made anew by Invoke-AegirVerify {site.Uri}; for one from ACME: Set-AegirSite {site.Uri} -CertificateSource LetsEncrypt.");
        if (remote is not null)
            return ErrorCatalog.AcmeUnavailable(site.Uri, SiteCertificates.AcmeNotThere(remote),
                $"It keeps its self-signed certificate there; for a CA's, serve it from a web server on this machine, or give the CA's certificate with Set-AegirSite {site.Uri} -CertificatePath -CertificateKeyPath.");
        if (acme.Unsignable(site.HostNames()) is { Count: > 0 } local)
            return ErrorCatalog.AcmeUnavailable(site.Uri, $"no public CA signs {string.Join(", ", local)}, and {acme.Directory} is a public CA's", "It keeps its self-signed certificate; give the site public names, or use a private ACME directory (Set-AegirServer -AcmeDirectory).");
        if (acme.Email is null)
            return ErrorCatalog.AcmeUnavailable(site.Uri, $"the web server '@{web.Name}' has no ACME account email", $"Set one: Set-AegirServer {web.Name} -AcmeEmail <address> (and -AcmeDirectory for another CA than Let's Encrypt).");
        return null;
    }
}
