using Aegir.Core.Contexts;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>The plan steps several site operations share: folders, settings, vhost and reload, and recording fields.</summary>
internal static class SiteSteps
{
    /// <summary>Each folder of the site with its owner, group and mode, on every machine that serves it; one that did not exist is deleted again by the undo.</summary>
    public static void Folders(OperationPlan plan, SiteParts site)
    {
        foreach (var parts in site.Members) FoldersOn(plan, parts);
    }

    static void FoldersOn(OperationPlan plan, SiteParts parts)
    {
        SiteAccountSteps.Account(plan, parts);
        var transport = parts.Env.Connect(parts.Web);
        foreach (var (dir, owner, group) in parts.Folders())
        {
            var full = Path.Combine(parts.Platform.Root, dir.Path);
            var line = $"{dir.Path} to {Modes.Octal(dir.Mode)} {owner}:{group}{parts.OnMember}";
            plan.Add(parts.Web.Name, PlanAction.Set, $"set {line} in {parts.Platform.Root}", ctx =>
            {
                var files = new FileService(transport);
                var created = files.FirstMissing(full);
                ctx.Step($"Setting {line}", () => files.EnsureDirectory(parts.Platform.Root, dir.Path, dir.Mode, owner, group),
                    created is null ? null : JournalActions.DeletePath(parts.Web.Name, created));
            });
        }
    }

    /// <summary>
    /// What root owns in the site's own folders (made when its commands ran as root) becomes the script user's, and
    /// everything in the folders the web server writes becomes its group's to write (an installer run as root or as
    /// another user leaves folders there the web server cannot write in).
    /// </summary>
    public static void Reclaim(OperationPlan plan, SiteParts site)
    {
        foreach (var parts in site.Members) ReclaimOn(plan, parts);
    }

    static void ReclaimOn(OperationPlan plan, SiteParts parts)
    {
        var roots = parts.Kind.SiteRoots(parts.Site.Uri);
        var transport = parts.Env.Connect(parts.Web);
        // A site in an account of its own also takes what the script user and PHP as the web server made before it had
        // one, and what the account it moves from (its own, or a client's) made.
        var moving = SiteAccountSteps.Former(parts, transport);
        IReadOnlyList<string> former = parts.PerSite ? [parts.Web.ScriptUser, parts.Web.Http.Get("web_user") ?? "www-data", .. moving.Select(a => a.Name)] : [];
        var who = string.Join(", ", ["root", .. former]);
        plan.Add(parts.Web.Name, PlanAction.Set, $"give {parts.Owner} what {who} own in {string.Join(", ", roots)} in {parts.Platform.Root}{parts.OnMember}", ctx =>
        {
            // Files that follow the site to its new account are not handed back: from here its pool stays as it is now
            // (the new account's, let into the former's files meanwhile), and a task that fails or is killed keeps it.
            if (moving.Count > 0) ctx.KeepChanges($"{parts.Site.Uri} runs as {parts.Account} now, and its files follow");
            ctx.Step($"Giving {parts.Owner} what {who} own in {string.Join(", ", roots)}{parts.OnMember}", () =>
            {
                var files = new FileService(transport);
                files.TakeFromRoot(parts.Platform.Root, roots, parts.Owner, former.Where(transport.UserExists).ToList());
                // What the former account made in its own group (outside the web server's folders) goes to the new one's.
                files.TakeGroup(parts.Platform.Root, roots, parts.OwnerGroup, moving.Select(a => a.Name).Where(transport.GroupExists).ToList());
            });
        });
        // A move under way, or the note a site makes before its pool first runs as its account, is ended here.
        if (parts.PerSite && (moving.Count > 0 || parts.Pools.UserOf(parts.PoolName) != parts.Account || new Services.Php.AccountHandover(transport, parts.Pools, parts.PoolName).Accounts.Count > 0))
        {
            SiteAccountSteps.EndHandover(plan, parts, moving);
            SharedFolderAccess.AfterHandover(plan, parts, moving);
        }
        var writable = WebWritable(parts);
        if (writable.Count == 0) return;
        plan.Add(parts.Web.Name, PlanAction.Set, $"let the web group {parts.WebGroup} write everywhere in {string.Join(", ", writable)} in {parts.Platform.Root}{parts.OnMember}", ctx =>
            ctx.Step($"Letting the web group {parts.WebGroup} write everywhere in {string.Join(", ", writable)}{parts.OnMember}",
                () => new FileService(parts.Env.Connect(parts.Web)).OpenToWebGroup(parts.Platform.Root, writable, parts.WebGroup)));
    }

    /// <summary>The site's folders the web server writes to, each once (not those inside another).</summary>
    internal static IReadOnlyList<string> WebWritable(SiteParts parts)
    {
        var roots = parts.Kind.SiteRoots(parts.Site.Uri);
        var own = parts.Kind.SiteDirectories(parts.Site.Uri)
            .Where(d => d.WebWritable && roots.Any(r => d.Path == r || d.Path.StartsWith(r + "/", StringComparison.Ordinal))).Select(d => d.Path).ToList();
        return own.Where(p => !own.Any(o => o != p && p.StartsWith(o + "/", StringComparison.Ordinal))).ToList();
    }

    /// <summary>The site's settings file, on every machine that serves it.</summary>
    public static void Settings(OperationPlan plan, SiteParts site)
    {
        if (site.Kind.SiteSettingsPath(site.Site.Uri) is not { } settings) return;
        foreach (var parts in site.Members)
            plan.Add(parts.Web.Name, PlanAction.Write, $"write {settings} {Modes.Octal(Modes.File0440)} {parts.Owner}:{parts.WebGroup} in {parts.Platform.Root}{parts.OnMember} (no credentials)",
                ctx => parts.Kind.WriteSiteSettings(parts.Job(ctx)));
    }

    /// <summary>
    /// The truth of the site's database: it is there (else nothing can be repaired), its user is made what the record
    /// says (hosts, password, rights) and gets in, and the application's tables are there.
    /// </summary>
    public static void Database(OperationPlan plan, SiteParts parts)
    {
        if (!parts.HasDatabase)
        {
            // A site without a database is one only on a platform whose application keeps none.
            if (parts.Kind.UsesDatabase) throw Errors.ErrorCatalog.SiteNeedsDatabase(parts.Site.Uri, parts.Platform.Name);
            return;
        }
        var database = parts.Database();
        var (server, db) = parts.DatabaseServer;
        var hosts = parts.Env.GrantHosts(parts.Hosting, server);
        var on = server.Name;
        plan.Add(on, PlanAction.Check, $"check that database `{database.Name}` is on @{on}", ctx => ctx.Step($"Checking that database {database.Name} is on '@{on}'", () =>
        {
            if (!db.DatabaseExists(database.Name)) throw Errors.ErrorCatalog.DatabaseGone(parts.Site.Uri, database.Name, on);
        }));
        plan.Add(on, PlanAction.Set, $"make user `{database.User}` reach `{database.Name}` from {string.Join(", ", hosts)} only, with its recorded password",
            ctx => ctx.Step($"Making user {database.User} reach {database.Name} from {string.Join(", ", hosts)} only", () => db.EnsureUser(database.User, database.Password, database.Name, hosts)));
        if (Contexts.ThisMachine.Is(parts.Web))   // from here it connects as PHP does; a remote web server checks from there
            plan.Add(on, PlanAction.Check, $"check that user `{database.User}` gets into `{database.Name}` with its password", ctx => ctx.Step($"Checking that user {database.User} gets into {database.Name}", () =>
            {
                if (!db.CanConnect(database.Name, database.User, database.Password)) throw Errors.ErrorCatalog.SiteUserLockedOut(parts.Site.Uri, database.User, database.Name);
            }));
        Tables(plan, parts);
    }

    /// <summary>The application's tables, where the kind installs some in the site's database (named when the step runs: an install picks it then).</summary>
    public static void Tables(OperationPlan plan, SiteParts parts)
    {
        if (!parts.Kind.HasInstaller || !parts.HasDatabase) return;
        var (server, db) = parts.DatabaseServer;
        var shown = parts.Site.DbName is { } known ? $"`{known}`" : "the site's new database";
        plan.Add(server.Name, PlanAction.Check, $"check that the {parts.Kind.Application} tables are in {shown}", ctx =>
        {
            var database = parts.Database();
            ctx.Step($"Checking that the {parts.Kind.Application} tables are in {database.Name}", () => parts.Kind.CheckInstalled(db, database));
        });
    }

    /// <summary>
    /// The site answers over HTTP as a working site (or, disabled, with the disabled page). Only when the reload is
    /// not put off to the end of a batch, since until then the web server serves the old config.
    /// </summary>
    /// <param name="created">The task makes the site: in a batch, it is removed again when it does not answer after the reload.</param>
    /// <param name="when">Whether the check runs at all, asked when its turn comes (a step before it may have had nothing to do).</param>
    public static void Answers(OperationPlan plan, SiteParts parts, Func<bool> enabled, bool created = false, Func<bool>? when = null)
    {
        var host = parts.Site.Redirection ?? parts.Site.Uri;
        var scheme = parts.Site.Https == HttpsMode.Disabled ? "http" : "https";
        if (parts.Env.Engine.Batch is { } batch)
        {
            plan.Add(parts.Web.Name, PlanAction.Check, $"check that {scheme}://{host}{Page(parts, enabled())} answers as the site{(enabled() ? "" : " disabled")}, once @{parts.Web.Name} reloads at the end of this pipeline{(created ? " (else it is removed again)" : "")}",
                ctx => { if (when?.Invoke() ?? true) batch.Expect(parts.Env.Engine, parts.Hosting.Name, parts.Site.Name, created); });
            return;
        }
        plan.Add(parts.Web.Name, PlanAction.Check, $"check that {scheme}://{host}{Page(parts, enabled())} answers as the site{(enabled() ? "" : " disabled")}", ctx =>
        {
            if (!(when?.Invoke() ?? true)) return;
            ctx.Step($"Checking that {scheme}://{host}{Page(parts, enabled())} answers", () =>
            {
                if (Judge(parts, enabled()) is { } problem) throw Errors.ErrorCatalog.SiteBroken(host, problem);
                FromHere(ctx, parts, enabled());
            });
        });
    }

    /// <summary>
    /// A site on another machine is asked for again from this one, as its visitors would ask: a site that answers on
    /// its web server but not from here (a firewall, a listen address only the server reaches) is warned about.
    /// </summary>
    public static void FromHere(TaskContext ctx, SiteParts site, bool? enabled = null)
    {
        foreach (var parts in site.Members) FromHereOn(ctx, parts, enabled);
    }

    static void FromHereOn(TaskContext ctx, SiteParts parts, bool? enabled)
    {
        if (Contexts.ThisMachine.Is(parts.Web)) return;
        var listen = parts.Web.Http.Get("listen_address") ?? "*";
        var address = listen == "*" ? parts.Web.RemoteHost : listen;
        // A site served over HTTPS is asked at the HTTPS port, trusting its stored certificate alone, as on its server.
        var tls = SiteCertificates.Pin(parts);
        var port = parts.Web.Http.GetInt(tls is null ? "port" : "https_port");
        var url = $"{(tls is null ? "http" : "https")}://{parts.Site.Redirection ?? parts.Site.Uri}/";
        string? problem;
        try
        {
            using var here = new Transport.LocalTransport();
            problem = Judge(parts, enabled, (h, path) => here.Fetch(address, port, h, path, tls));
        }
        catch (IOException ex) { problem = $"it did not answer ({ex.Message.TrimEnd('.')})"; }
        if (problem is null) ctx.Info($"{url} answers from this machine too ({address}:{port}).");
        else ctx.Warn($"{url} answers on '@{parts.Web.Name}' but not from this machine ({address}:{port}): {problem}. Check the network between them: a firewall, or the web server's listen address.");
    }

    /// <summary>
    /// What is wrong with the page a site serves (as enabled, or as disabled); null when it answers as it should.
    /// A request left unanswered is sent again, as a browser does: a graceful reload (by another task too) closes
    /// fresh connections unanswered. <paramref name="ask"/> asks from elsewhere than the web server.
    /// </summary>
    public static string? Judge(SiteParts parts, bool? enabled = null, Func<string, string, HttpAnswer>? ask = null)
    {
        // A cluster's site answers on each member, or it is broken there.
        if (ask is null && parts.Members.Count > 1)
            return parts.Members.Select(m => Judge(m, enabled) is { } problem ? $"on member '@{m.Web.Name}', {problem}" : null).FirstOrDefault(p => p is not null);
        var host = parts.Site.Redirection ?? parts.Site.Uri;
        ask ??= (name, page) => Fetch(parts, name, page);
        if (!(enabled ?? parts.Site.Status != SiteStatus.Disabled))
        {
            var shown = ask(host, "/");
            return shown.Status == 503 ? null : $"it answers {shown}, not the site disabled page";
        }
        var check = parts.Kind.Check;
        var path = check.Path;
        var answer = ask(host, path);
        // A page that sends visitors on within the site (to its login) is judged where it leads; one that still sends
        // them on within the site after three, or back to a page already seen, goes round in circles.
        var seen = new HashSet<string>(StringComparer.Ordinal) { path };
        var scheme = parts.Site.Https == HttpsMode.Disabled ? "http" : "https";
        for (int hop = 0; check.Follow(answer, host, scheme) is { } next; hop++)
        {
            if (hop == 3 || !seen.Add(next)) return $"{path} sends visitors round in circles within the site ({answer}), so no page of it is ever shown";
            answer = ask(host, path = next);
        }
        // Another vhost's answer (a default page) is no proof of the site: its own vhost must say it answers. A vhost
        // written from an admin's template without that page is taken at its word.
        var vhost = parts.Http.RenderSite(parts.Vhost(true)).Contains(PageCheck.VhostPage, StringComparison.Ordinal)
            ? PageCheck.Vhost(ask(host, PageCheck.VhostPage), parts.Site.Uri, host) : null;
        var problem = vhost ?? check.Problem(answer, path);
        // PHP-FPM down fails every page (502, or a vhost not yet reloaded): the cause is named first, not the vhost.
        return problem is not null && parts.PerSite && parts.Pools.DownCause() is { } cause ? $"{cause}; meanwhile {problem}" : problem;
    }

    /// <summary>The page a check asks for: the kind's (a manifest's check.path), or / for the disabled page.</summary>
    static string Page(SiteParts parts, bool enabled) => enabled ? parts.Kind.Check.Path : "/";

    static HttpAnswer Fetch(SiteParts parts, string host, string path)
    {
        HttpAnswer? answer = null;
        // A site served over HTTPS is asked over HTTPS, trusting the certificate the store holds for it and no other.
        var tls = SiteCertificates.Pin(parts);
        // A graceful reload (this task's, or another's beside it) closes connections unanswered for a moment: asked
        // again, a little later each time, before a page that does not answer counts as a broken site.
        foreach (var wait in new[] { 200, 500, 1000, 0 })
        {
            try { answer = parts.Http.Fetch(host, path, tls); break; }
            catch (IOException) when (wait > 0) { Thread.Sleep(wait); }
        }
        parts.Env.Engine.Observer?.OnMessage(Tasks.TaskLogLevel.Debug, $"{(tls is null ? "http" : "https")}://{host}{path} answers: {answer}.");
        return answer!;
    }

    /// <summary>The site's vhost (written and tested), then a reload of the web server.</summary>
    /// <param name="given">Certificate files given with this task (the File source), copied into the store before the vhost is written.</param>
    public static void Vhost(OperationPlan plan, SiteParts parts, Func<bool> enabled, CertificateGiven? given = null)
    {
        var what = parts.Hosting.IsCluster
            ? $"write the vhost of {parts.Site.Uri} on {string.Join(", ", parts.Members.Select(m => "@" + m.Web.Name))} (the members of @{parts.Hosting.Name}) and test each one's config"
            : $"write {parts.Http.SiteConfigPath(parts.Site.Uri)} and test the {parts.Http.Type} config of @{parts.Web.Name}";
        SiteAccountSteps.Pool(plan, parts);
        SiteCertificates.Plan(plan, parts, given);
        plan.Add(parts.Hosting.Name, PlanAction.Write, what,
            ctx => parts.Http.WriteSite(ctx, parts.Vhost(enabled())));
        Reload(plan, parts.Env, parts.Hosting, parts.Http);
    }

    /// <summary>The web server reloads (once at the end of a pipeline, in one).</summary>
    /// <param name="when">Whether the reload runs at all, asked when its turn comes.</param>
    public static void Reload(OperationPlan plan, OperationEnvironment env, AegirServer web, Services.IHttpService http, Func<bool>? when = null)
        => plan.Add(web.Name, PlanAction.Reload,
            env.Engine.Batch is null ? $"reload {http.Type} on @{web.Name}" : $"reload {http.Type} on @{web.Name} (once, at the end of this pipeline)",
            ctx =>
            {
                if (when?.Invoke() ?? true) ctx.Step($"Reloading {http.Type} on '@{web.Name}'", () => env.Engine.ReloadOrDefer(ctx, http));
            });

    /// <summary>A change of some fields of a context record, whose undo puts back just those fields.</summary>
    public static void Record<T>(OperationPlan plan, OperationEnvironment env, string name, string description, string logLine, Action<T> change) where T : AegirContext
        => plan.Add(name, PlanAction.Record, description, ctx => RecordNow(ctx, env, name, logLine, change));

    /// <summary>
    /// Records a change now: the fields it changes and their old values are found first (the task holds the
    /// context, so nothing else changes it meanwhile) and journaled; the edit itself runs on a fresh read.
    /// </summary>
    public static void RecordNow<T>(TaskContext ctx, OperationEnvironment env, string name, string logLine, Action<T> change) where T : AegirContext
    {
        var preview = env.Store.Preview(name, "Name", change, check: false);
        if (!preview.Changed)
        {
            ctx.Debug($"{logLine}: the record already says so.");
            return;
        }
        var data = ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(preview.OldValues));
        ctx.Step(logLine, () => env.Store.Modify(name, "Name", change), JournalActions.RestoreFields(name, preview.ChangedFields, data));
    }
}
