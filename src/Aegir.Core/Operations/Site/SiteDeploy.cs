using System.Formats.Tar;
using Aegir.Core.Backups;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Site;

/// <summary>
/// Aegir's deploy, the engine of restore and migrate: a backup goes into a new database and into folders beside
/// where the site's folders belong (on <paramref name="parts"/>: the site as it will be, on its platform and db
/// server); only when all of it is in and checked do the folders swap and the record take the new database (and
/// platform). The old database and folders (of <paramref name="source"/>, the site as it was) go last, past the
/// point of no return. The archive is named when the load runs: a migrate makes it a moment before. A restore and an
/// import (<paramref name="certificate"/>) put the backup's certificate back in the store too, when it should be.
/// </summary>
internal sealed class SiteDeploy(SiteParts source, SiteParts parts, Func<string> archiveOf, string label, bool keepSource = false, bool creating = false, bool certificate = false)
{
    /// <summary>A site that has no record yet (an import from an archive): the deploy makes its record and removes nothing.</summary>
    public static SiteDeploy AsNew(SiteParts parts, Func<string> archiveOf, string label) => new(parts, parts, archiveOf, label, keepSource: true, creating: true, certificate: true);

    /// <summary>A rename or a clone: the site comes out under another uri, in a record of its own.</summary>
    bool Renamed => source.Site.Name != parts.Site.Name;

    /// <summary>A move onto other code: the application's database updates run on the new database before the old copy goes.</summary>
    public bool RunsUpdates { get; init; }

    string archive => archiveOf();
    bool Moving => source.Platform.Name != parts.Platform.Name || source.DbServer?.Name != parts.DbServer?.Name;

    /// <summary>Each folder of the site (relative to its platform's root) and where its copy from the backup waits beside it.</summary>
    readonly IReadOnlyList<(string Live, string Staged)> _roots = parts.Kind.SiteRoots(parts.Site.Uri)
        .Select(live => (live, Path.Combine(Path.GetDirectoryName(live) ?? "", $".{Path.GetFileName(live)}.restore"))).ToList();
    /// <summary>Which member folder of the archive fills each of the site's folders (none: the archive has no such folder).</summary>
    readonly Dictionary<string, string> _sources = new(StringComparer.Ordinal);
    string? _newDb;
    string? _newPassword;
    readonly string? _oldDb = creating ? null : source.DatabaseIfAny()?.Name;
    BackupManifest? _manifest;
    /// <summary>The certificate/ members of the archive, as the load read them.</summary>
    CarriedCertificate _carried = new();

    /// <summary>Reads the archive's manifest and refuses one that cannot go onto this site, before anything changes.</summary>
    public BackupManifest Check(TaskContext? ctx = null)
    {
        using var reader = BackupArchiveReader.Open(archive, m => ctx?.Info(m));
        var m = _manifest = reader.Manifest;
        if (m.DbType == BackupManifest.NoDatabase && parts.HasDatabase)
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, $"Restoring {archive}", $"it is a backup of a site without a database, and {parts.Site.Uri} has one", "Restore it onto a site without a database (on a platform whose manifest says database: none).");
        if (m.DbType != BackupManifest.NoDatabase && parts.Db is not { } db)
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, $"Restoring {archive}", $"it holds a {m.DbType} database, and {parts.Site.Uri} has none", "Restore it onto a site with a database of that type.");
        if (parts.Db is { } service && m.DbType != service.Driver)
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, $"Restoring {archive}", $"it holds a {m.DbType} database and @{parts.DbServer!.Name} runs {service.Driver}", "Restore it onto a site whose database server runs " + m.DbType + ".");
        if (m.PlatformKind != parts.Kind.Name)
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, $"Restoring {archive}", $"it is a backup of a {m.PlatformKind} site and @{parts.Platform.Name} is a {parts.Kind.Name} platform", $"Restore it onto a site on a {m.PlatformKind} platform.");
        // Two php platforms may hold two applications: a manifest's name is the core package the backup lists.
        if (m.PlatformKind == "php" && m.Packages.FirstOrDefault(x => x.Type == "core")?.Name is { } application && application != parts.Kind.Application)
            throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, $"Restoring {archive}", $"it is a backup of a {application} site and @{parts.Platform.Name} is a {parts.Kind.Application} platform", $"Restore it onto a site on a {application} platform.");
        // The archive's folders are the kind's folders of its own uri: they map in order onto this site's.
        var theirs = parts.Kind.SiteRoots(m.Uri);
        foreach (var member in m.SiteRoots)
            if (!theirs.Contains(member)) throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, $"Restoring {archive}", $"it holds {member}, which is no site folder of a {m.PlatformKind} site", "Use an archive made by Backup-AegirSite.");
        _sources.Clear();
        for (int i = 0; i < _roots.Count && i < theirs.Count; i++)
            if (m.SiteRoots.Contains(theirs[i])) _sources[_roots[i].Live] = theirs[i];
        return m;
    }

    /// <summary>
    /// Every step of the deploy, in order: the folders above the site's (made, and undone if new), the load, the swap,
    /// the site's folders, settings and vhost where it now lives (the old vhost removed when it was elsewhere), the
    /// page, and last the old database and folders.
    /// </summary>
    void RemoveOldVhost(OperationPlan plan, SiteParts member)
    {
        plan.Add(member.Web.Name, PlanAction.Delete, $"remove {member.Http.SiteConfigPath(source.Site.Uri)} and test the {member.Http.Type} config of @{member.Web.Name}",
            ctx => member.Http.RemoveSite(ctx, source.Site.Uri));
        // The site's pool where it was: a rename's new uri has an account of its own, and a site on another server runs there.
        SiteAccountSteps.RemovePool(plan, member);
    }

    /// <summary>
    /// The machines where the site's old vhost, pool and account go: every one that served it on a rename (its new uri
    /// has its own), else those that do not serve it where it goes (a cluster's member that serves it on both stays).
    /// </summary>
    IReadOnlyList<SiteParts> Left()
        => keepSource ? [] : Renamed ? source.Members : source.Members.Where(m => !Serves(m)).ToList();

    /// <summary>Whether a machine that served the site serves it where it goes too.</summary>
    bool Serves(SiteParts member) => parts.Members.Any(m => m.Web.Name == member.Web.Name);

    public void Plan(OperationPlan plan, OperationEnvironment env)
    {
        SiteSteps.Folders(plan, parts);
        Load(plan, env);
        if (certificate) SiteCertificateCarry.Plan(plan, parts, () => _carried, () => _manifest!, label, creating);
        Swap(plan, env);
        if (parts.Members.Count > 1)
            plan.Add(parts.Hosting.Name, PlanAction.Check, $"note that the site's own files were loaded on @{parts.Web.Name} only, of the members of @{parts.Hosting.Name}", ctx =>
                ctx.Warn($"The site's own files from {label} were loaded on '@{parts.Web.Name}' only: the other members of '@{parts.Hosting.Name}' keep their own (a cluster's members share no site files; share those folders between them, see about_Aegir, CLUSTERS)."));
        SiteSteps.Folders(plan, parts);
        SiteSteps.Settings(plan, parts);
        SiteAccess.Plan(plan, parts);
        if (RunsUpdates) ApplicationUpdate.BeforeServing(plan, parts);
        bool enabled = parts.Site.Status != Contexts.SiteStatus.Disabled;
        var left = Left();
        // A rename on one web server: the old vhost goes first, since the names the site keeps (its aliases) may
        // answer in one vhost only; the reload after the new one serves both changes at once.
        foreach (var member in left.Where(Serves)) RemoveOldVhost(plan, member);
        if (!creating && (Renamed || source.Web.Name != parts.Web.Name)) SiteIncludes.Copy(plan, env, source, parts);
        SiteSteps.Vhost(plan, parts, () => enabled);
        foreach (var member in left.Where(m => !Serves(m)))
        {
            RemoveOldVhost(plan, member);
            SiteSteps.Reload(plan, env, member.Web, member.Http);
        }
        if (RunsUpdates) ApplicationUpdate.OnceServed(plan, parts);
        SiteSteps.Answers(plan, parts, () => enabled);
        AcmeIssuance.PlanWanted(plan, parts);
        Finish(plan, env);
    }

    /// <summary>The plan's steps up to the swap: new database, the archive streamed into it and beside the live folders, checked.</summary>
    void Load(OperationPlan plan, OperationEnvironment env)
    {
        plan.Add(parts.Web.Name, PlanAction.Check, $"check that {parts.Platform.Root} on @{parts.Web.Name} has room for the backup's files", ctx =>
        {
            // A backup of this module's says how much its files take; every member is counted again as it is written.
            if (BackupArchive.FromSidecar(archive) is { } known)
                ctx.Step($"Checking that {parts.Platform.Root} on '@{parts.Web.Name}' has room for {SiteArchive.Megabytes(known.FilesSize)} MB of files",
                    () => new FreeSpace(env.Connect(parts.Web), parts.Platform.Root, parts.Web.Name).Take($"The files of {Path.GetFileName(archive)}", known.FilesSize));
        });
        if (!parts.HasDatabase)
        {
            // A site without a database: its folders alone.
            plan.Add(parts.Web.Name, PlanAction.Write, $"load {label}: its folders beside the live ones ({string.Join(", ", _roots.Select(r => r.Staged))}), each member checked against its checksum",
                ctx => Extract(ctx, env));
            return;
        }
        var (server, db) = parts.DatabaseServer;
        var hosts = parts.Env.GrantHosts(parts.Hosting, server);
        plan.Add(server.Name, PlanAction.Create, $"create a new database and user for {parts.Site.Uri} on @{server.Name}, granted to {string.Join(", ", hosts)}",
            ctx => CreateDatabase(ctx, env, hosts));
        plan.Add(parts.Web.Name, PlanAction.Write, $"load {label}: its dump into the new database, its folders beside the live ones ({string.Join(", ", _roots.Select(r => r.Staged))}), each member checked against its checksum",
            ctx => Extract(ctx, env));
        if (parts.Kind.HasInstaller)
            plan.Add(server.Name, PlanAction.Check, $"check that the {parts.Kind.Application} tables are in the new database",
                ctx => ctx.Step($"Checking that the {parts.Kind.Application} tables are in {_newDb}", () => parts.Kind.CheckInstalled(db, NewDatabase())));
        if ((_manifest?.Uri ?? source.Site.Uri) is var from && from != parts.Site.Uri)
        {
            var url = parts.SiteUrl;
            plan.Add(server.Name, PlanAction.Set, $"make the copied database of {from} serve as {url}", ctx =>
            {
                if (parts.Kind.AddressChange(db, NewDatabase(), _manifest!.Uri, parts.Site.Uri, url) is { } sql)
                    ctx.Step($"Pointing the copied database at {url}", () => db.Import(parts.Web, NewDatabase(), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(sql))));
            });
        }
    }

    /// <summary>The new database with the account made for it, as the site's PHP will reach it.</summary>
    Services.Http.SiteDatabase NewDatabase()
    {
        var db = parts.DatabaseServer.Service;
        return new(db.Driver, db.Host, db.Port, _newDb!, _newDb!, _newPassword!);
    }

    void CreateDatabase(TaskContext ctx, OperationEnvironment env, IReadOnlyList<string> hosts)
    {
        // The new name must be no other site's claim either: the record takes it only at the swap.
        var taken = Contexts.SiteIndex.ClaimedDbNames(env.Store, parts.DatabaseServer.Server.Name);
        if (_oldDb is not null) taken.Add(_oldDb);
        (_newDb, _newPassword) = NewSiteDatabase.Create(ctx, parts, taken, hosts);
    }

    void Extract(TaskContext ctx, OperationEnvironment env)
    {
        if (_manifest is null) Check(ctx);
        var web = env.Connect(parts.Web);
        var root = parts.Platform.Root;
        foreach (var (_, staged) in _roots)
        {
            var full = Path.Combine(root, staged);
            // A copy left by a restore that died is no one's: it goes before this one starts.
            if (web.Kind(full) != PathKind.None) web.Delete(full);
            ctx.Step($"Setting {staged} aside for the backup's copy", () => { }, JournalActions.DeletePath(parts.Web.Name, full));
        }
        var members = new SiteMembers(parts, web, Path.GetFileName(archive));
        var space = new FreeSpace(web, root, parts.Web.Name);
        ctx.Step($"Loading {Path.GetFileName(archive)} {(parts.HasDatabase ? $"into database {_newDb} and " : "")}beside the live folders", () =>
        {
            using var reader = BackupArchiveReader.Open(archive, ctx.Info);
            var map = _roots.Where(r => _sources.ContainsKey(r.Live)).Select(r => (Prefix: BackupArchive.SitePrefix + _sources[r.Live], r.Live, r.Staged)).ToList();
            bool sawDatabase = false;
            _carried = new();
            TarEntry? pending = reader.Next();
            while (pending is not null)
            {
                var entry = pending;
                if (entry.Name == BackupArchive.DatabaseMember)
                {
                    if (sawDatabase) throw ErrorCatalog.MemberRefused(Path.GetFileName(archive), entry.Name, "the archive holds a second database dump");
                    if (!parts.HasDatabase) throw ErrorCatalog.MemberRefused(Path.GetFileName(archive), entry.Name, $"the archive holds a database dump, and {parts.Site.Uri} has no database");
                    sawDatabase = true;
                    parts.DatabaseServer.Service.Import(parts.Web, NewDatabase(), reader.Data(entry));
                    pending = reader.Next();
                }
                else if (entry.Name.StartsWith(BackupArchive.CertificatePrefix, StringComparison.Ordinal))
                {
                    // Kept in memory for the step that judges it (a migrate's or a clone's leaves it unused).
                    _carried.Take(entry, reader);
                    pending = reader.Next();
                }
                else if (entry.Name.StartsWith(BackupArchive.SitePrefix, StringComparison.Ordinal))
                {
                    // The site's folders go to the web server as one tar stream, renamed to their places beside the live ones.
                    TarEntry? next = entry;
                    var result = TransportPipe.Write(web, new CommandSpec("tar", ["--extract", "--file=-", $"--directory={root}", "--no-overwrite-dir"]) { Timeout = TimeSpan.FromHours(12) }, input =>
                    {
                        using var tar = new TarWriter(input, TarEntryFormat.Pax, leaveOpen: true);
                        while (next is not null && next.Name.StartsWith(BackupArchive.SitePrefix, StringComparison.Ordinal))
                        {
                            var name = next.Name.TrimEnd('/');
                            if (next.EntryType == TarEntryType.Directory && map.Any(m => m.Prefix.StartsWith(name + "/", StringComparison.Ordinal)))
                            {
                                next = reader.Next();   // a folder above the site's (an archive other tools wrote)
                                continue;
                            }
                            var (live, staged) = Place(map, name) ?? throw ErrorCatalog.StepFailed(ErrorIds.BackupMismatch, $"Restoring {archive}", $"its member {name} is in none of the site's folders", "Use an archive made by Backup-AegirSite.");
                            var type = next.EntryType is TarEntryType.V7RegularFile ? TarEntryType.RegularFile : next.EntryType;
                            string? target = type == TarEntryType.HardLink ? Place(map, next.LinkName.TrimEnd('/'))?.Live ?? next.LinkName : type == TarEntryType.SymbolicLink ? next.LinkName : null;
                            members.Check(name, type, live, target);
                            if (type == TarEntryType.RegularFile) space.Take(name, next.Length);
                            var copy = members.Header(type, live, staged, next.Mode, next.ModificationTime);
                            if (type == TarEntryType.SymbolicLink) copy.LinkName = target!;
                            if (type == TarEntryType.HardLink) copy.LinkName = Place(map, next.LinkName.TrimEnd('/'))!.Value.Staged;
                            if (type == TarEntryType.RegularFile) copy.DataStream = reader.Data(next);
                            tar.WriteEntry(copy);
                            next = reader.Next();
                        }
                    });
                    if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.RestoreFailed, $"Putting the folders of {parts.Site.Uri} beside the live ones", result.Summary(), $"Check the free space and permissions of {root} on '@{parts.Web.Name}'.");
                    pending = next;
                }
                else
                {
                    ctx.Warn($"The member {entry.Name} of {Path.GetFileName(archive)} is no part of a site's backup, and was left out.");
                    reader.Skip(entry);
                    pending = reader.Next();
                }
            }
            reader.Finish();
            if (!sawDatabase && parts.HasDatabase) throw ErrorCatalog.StepFailed(ErrorIds.BackupBroken, $"Reading {archive}", "it holds no database.sql", "Use an archive made by Backup-AegirSite.");
        });
    }

    /// <summary>Where an archive member of the site's folders lands: its path as the live site has it, and beside it while the restore runs.</summary>
    static (string Live, string Staged)? Place(IReadOnlyList<(string Prefix, string Live, string Staged)> map, string name)
    {
        foreach (var (prefix, live, staged) in map)
            if (name == prefix || name.StartsWith(prefix + "/", StringComparison.Ordinal))
                return (live + name[prefix.Length..], staged + name[prefix.Length..]);
        return null;
    }

    /// <summary>The swap: each live folder aside, the backup's copy in its place; then the record names the new database.</summary>
    void Swap(OperationPlan plan, OperationEnvironment env)
    {
        var root = parts.Platform.Root;
        foreach (var (live, staged) in _roots)
        {
            var liveFull = Path.Combine(root, live);
            var stagedFull = Path.Combine(root, staged);
            plan.Add(parts.Web.Name, PlanAction.Move, $"swap {live} for the backup's copy (the live one kept aside until the end)", ctx =>
            {
                var web = env.Connect(parts.Web);
                var old = OldOf(liveFull, ctx);
                if (web.Kind(liveFull) != PathKind.None)
                    ctx.Step($"Moving {live} aside", () => web.Move(liveFull, old), JournalActions.MovePath(parts.Web.Name, old, liveFull));
                if (web.Kind(stagedFull) != PathKind.None)
                    ctx.Step($"Moving the backup's copy of {live} in", () => web.Move(stagedFull, liveFull), JournalActions.MovePath(parts.Web.Name, liveFull, stagedFull));
            });
        }
        if (Renamed || creating)
        {
            // A rename's old record goes first: the new one takes over its aliases.
            if (!keepSource)
                plan.Add(source.Site.Name, PlanAction.Delete, $"remove the record of {source.Site.Uri}", ctx =>
                {
                    var data = ctx.SaveData(System.Text.Encoding.UTF8.GetBytes(env.Store.ReadText(source.Site.Name) ?? ""));
                    ctx.Step($"Removing the record of {source.Site.Uri}", () => env.Store.Remove(source.Site.Name), JournalActions.RecreateContext(source.Site.Name, data));
                });
            plan.Add(parts.Site.Name, PlanAction.Record, $"record the site {parts.Site.Uri} on @{parts.Platform.Name}, {(parts.HasDatabase ? $"database on @{parts.DbServer!.Name}" : "without a database")}", ctx =>
            {
                parts.Site.DbName = _newDb;
                parts.Site.DbPassword = _newPassword;
                // A site without a database gets a key of its own, as a new database gets a new password.
                if (!parts.HasDatabase) parts.Site.SiteKey = Passwords.New();
                ctx.Step($"Recording the site {parts.Site.Uri}", () => env.Store.Create(parts.Site), JournalActions.RemoveContext(parts.Site.Name));
            });
            return;
        }
        var moves = Moving ? $" on @{string.Join(" and @", new[] { parts.Platform.Name, parts.DbServer?.Name }.OfType<string>())}" : "";
        var what = parts.HasDatabase ? "the new database" : "the site's platform";
        if (!parts.HasDatabase && !Moving) return;   // nothing of the record changes
        SiteSteps.Record<Contexts.AegirSite>(plan, env, parts.Site.Name, $"record {what} of {parts.Site.Uri}{moves}", $"Recording {what}{moves} in the site's record", s =>
        {
            s.PlatformName = parts.Platform.Name;
            s.DbServerName = parts.DbServer?.Name;
            s.DbName = _newDb;
            s.DbPassword = _newPassword;
        });
        if (parts.HasDatabase)
            plan.Add(parts.Site.Name, PlanAction.Set, "use the new database from here on", ctx =>
            {
                parts.Site.DbName = _newDb;
                parts.Site.DbPassword = _newPassword;
            });
    }

    /// <summary>
    /// Past the point of no return: the old database and user dropped, the old folders deleted (a clone keeps its
    /// source, and only clears folders it found in its way).
    /// </summary>
    void Finish(OperationPlan plan, OperationEnvironment env)
    {
        var dropsDatabase = !keepSource && _oldDb is not null;
        var what = keepSource ? "delete any folder found in the copy's way" : dropsDatabase ? $"drop the old database `{_oldDb}` and user `{_oldDb}` on @{source.DbServer!.Name}, delete the old folders" : "delete the old folders";
        plan.Add(source.DbServer?.Name ?? source.Web.Name, PlanAction.Drop, $"{what} (no undo past this point)", ctx =>
        {
            var changes = new List<JournalAction>();
            if (dropsDatabase) changes.Add(JournalActions.DropDatabase(source.DbServer!.Name, _oldDb!, _oldDb!));
            var web = env.Connect(parts.Web);
            foreach (var (live, _) in _roots)
            {
                var old = OldOf(Path.Combine(parts.Platform.Root, live), ctx);
                if (web.Kind(old) != PathKind.None) changes.Add(JournalActions.DeletePath(parts.Web.Name, old));
            }
            if (!keepSource && (source.Platform.Name != parts.Platform.Name || Renamed))
            {
                // Its accounts' entries in the old platform's shared folders, unless another site there runs as them.
                changes.AddRange(SharedFolderAccess.Gone(source));
                // The site's folders where it was, on every machine that served it.
                foreach (var member in source.Members)
                {
                    var was = env.Connect(member.Web);
                    foreach (var relative in source.Kind.SiteRoots(source.Site.Uri))
                    {
                        var folder = Path.Combine(source.Platform.Root, relative);
                        if (was.Kind(folder) != PathKind.None) changes.Add(JournalActions.DeletePath(member.Web.Name, folder));
                    }
                }
            }
            foreach (var member in Left())
            {
                changes.AddRange(SiteIncludes.Gone(env, member, ctx));
                changes.AddRange(SharedFolderAccess.Gone(member));
                changes.AddRange(SiteAccountSteps.AccountGone(member));
            }
            // The old name's certificate goes with it (the new name got its own before its vhost was written).
            if (!keepSource && Renamed) changes.AddRange(SiteCertificates.Gone(env, source.Site.Uri));
            if (changes.Count > 0) ctx.Commit(changes);
        });
    }

    static string OldOf(string liveFull, TaskContext ctx) => Path.Combine(Path.GetDirectoryName(liveFull)!, $".{Path.GetFileName(liveFull)}.old-{ctx.Task.Id}");
}
