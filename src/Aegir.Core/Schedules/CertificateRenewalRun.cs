using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Services.Certificates;

namespace Aegir.Core.Schedules;

/// <summary>
/// The renewal schedule's work for one site: the renewal task (<see cref="RenewCertificate"/>), and its outcome noted
/// in the store when the task failed before the CA was asked (no ACME email, the site's names), so the next attempt
/// waits its backoff too.
/// </summary>
public static class CertificateRenewalRun
{
    public static string Run(Engine engine, string name)
    {
        var started = DateTime.UtcNow;
        var outcome = engine.Run(new RenewCertificate.Parameters(name));
        var store = new CertificateStore(engine.Store.Home);
        var uri = engine.Store.ReadFresh(name) is AegirSite site ? site.Uri : name;
        if (outcome.Succeeded)
            return store.Get(uri) is { } cert ? $"Certificate of {uri}: {cert.Issuer}, until {cert.NotAfter:yyyy-MM-dd HH:mm} UTC (task {outcome.Task.Id})." : $"Certificate of {uri}: task {outcome.Task.Id} done.";
        var error = outcome.Task.Error ?? "the renewal task failed";
        // A target held by another task is no failure of the CA's: the next round asks again, with no backoff.
        if (outcome.Task.ErrorId == "TargetBusy")
            return $"Certificate renewal of {uri} waits for the next round: {error}";
        if (store.Get(uri) is { } current && (current.LastRenewalTime is null || current.LastRenewalTime < started))
            store.NoteRenewal(uri, "failed: " + error, failed: true);
        var problem = RenewalPolicy.Problem(store.Get(uri), DateTime.UtcNow);
        return $"Certificate renewal of {uri} failed (task {outcome.Task.Id}): {error}{(problem is null ? "" : $" Warning: {uri} is unhealthy: {problem}.")}";
    }
}
