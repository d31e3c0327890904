using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Aegir3;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Operations.Server;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Aegir3;

/// <summary>
/// Takes in the servers, platforms and sites of an Aegir 3 or BOA server from its alias files (/var/aegir/.drush):
/// every file is read and checked before anything is recorded, then the servers are recorded and verified, each
/// platform recorded and verified in one task, and each site taken in as Import-AegirSite takes one in (its database,
/// user and password from its own drushrc.php). A platform or site whose task fails leaves no record; what depends on
/// a server, platform or site that failed is not tried. Records already here are left as they are, so running it
/// again after a fix takes in what the first run did not.
/// </summary>
[Cmdlet(VerbsData.Import, "AegirContext", HelpUri = HelpLinks.Docs + "Import-AegirContext.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirServer), typeof(AegirPlatform), typeof(AegirSite), typeof(Core.Operations.AegirPlanStep))]
public sealed class ImportAegirContextCommand : TaskCmdlet
{
    /// <summary>The folder of Aegir's alias files (its ~/.drush: /var/aegir/.drush), or a copy of it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Only record them (sites with the database their drushrc.php names), verifying nothing; Invoke-AegirVerify later.</summary>
    [Parameter]
    public SwitchParameter NoVerify { get; set; }

    readonly HashSet<string> _failed = new(StringComparer.Ordinal);

    protected override void ProcessRecord()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(Path!);
        Aegir3Contexts found;
        try { found = Aegir3Contexts.Read(folder, Store); }
        catch (AegirException ex) { ThrowAegirError(ex, folder); return; }
        foreach (var note in found.Notes)
            if (note.Warning) WriteWarning(note.ToString()); else WriteVerbose(note.ToString());

        Settle([.. found.Servers.Select(s => s.Name), .. found.Platforms.Select(p => p.Definition.Name), .. found.Sites.Select(s => s.Uri)]);
        var servers = found.Servers.Where(s => New(s.Name)).ToList();
        var platforms = found.Platforms.Where(p => New(p.Definition.Name)).ToList();
        var sites = found.Sites.Where(s => New(s.Uri)).ToList();
        var lines = servers.Select(Describe)
            .Concat(platforms.Select(p => $"record {(NoVerify ? "" : "and verify ")}the platform @{p.Definition.Name} at {p.Definition.Root} on @{p.Definition.WebServer}"))
            .Concat(sites.Select(s => $"{(NoVerify ? "record" : "take in")} the site {s.Uri} on @{s.Platform}" +
                $"{(s.Aliases.Count > 0 ? $" (aliases {string.Join(", ", s.Aliases)})" : "")}, its database as its drushrc.php names it on @{s.DbServer}{(s.Enabled ? "" : ", disabled")}"))
            .ToList();
        if (lines.Count == 0)
        {
            WriteVerbose($"Everything {folder} describes is recorded here already.");
            return;
        }
        if (!ShouldChange(lines, folder, "Import Aegir 3 contexts")) return;

        try { RecordServers(servers, found); }
        catch (AegirException ex) { ThrowAegirError(ex, folder); return; }
        if (!NoVerify)
            foreach (var server in servers)
                if (!Finish(RunOperation(new VerifyServer.Parameters(server.Name)).Task)) _failed.Add(server.Name);
        foreach (var (definition, _) in platforms)
            ForItem(definition.Name, () =>
            {
                try { ImportPlatform(definition); }
                catch (AegirException) { _failed.Add(definition.Name); throw; }
            });
        foreach (var site in sites) ForItem(site.Uri, () => ImportSite(site));
    }

    /// <summary>Every server recorded, or none: clusters after the servers they are made of.</summary>
    void RecordServers(List<AegirServer> servers, Aegir3Contexts found)
    {
        var made = new List<string>();
        try
        {
            foreach (var server in servers.OrderBy(s => s.IsCluster))
            {
                try { Store.Check(server, isNew: true); }
                catch (AegirException ex) { throw ErrorCatalog.Aegir3ContextUnread(found.FileOf(server), 0, ex.Message, "Correct the file, or move it out of the folder."); }
                Engine.Create(server);
                made.Add(server.Name);
                WriteVerbose($"Wrote {server.Path}");
            }
        }
        catch (AegirException)
        {
            foreach (var name in Enumerable.Reverse(made)) Store.RemoveIfExists(name);
            throw;
        }
        foreach (var server in servers) WriteObject(Store.ReadFresh(server.Name));
    }

    void ImportPlatform(PlatformDefinition definition)
    {
        Skip(definition.Name, definition.WebServer!, "its web server");
        var platform = definition.ToPlatform();
        Store.Check(platform, isNew: true);
        if (NoVerify) Engine.Create(platform);
        else if (!Finish(RunOperation(new VerifyPlatform.Parameters(platform.Name, definition)).Task))
        {
            _failed.Add(platform.Name);
            return;
        }
        WriteObject(Store.ReadFresh(platform.Name));
    }

    void ImportSite(Aegir3Site site)
    {
        Skip(site.Uri, site.Platform, "its platform");
        Skip(site.Uri, site.DbServer, "its database server");
        var database = site.ReadDatabase(Engine, WriteWarning)
            ?? throw ErrorCatalog.StepFailed(ErrorIds.SiteSettingsUnread, $"Importing {site.Uri}", $"its drushrc.php ({Aegir3Drushrc.PathOf(Store.GetFresh<AegirPlatform>(site.Platform, "Platform").Root, site.Uri)}) is missing or names no db_name",
                "Put back the drushrc.php Aegir wrote for the site, or take the site in by hand (Import-AegirSite -Platform) once its settings name its database.");
        if (NoVerify)
        {
            var record = site.ToRecord(database);
            Store.Check(record, isNew: true);
            Engine.Create(record);
        }
        else
        {
            var parameters = new ImportSite.Parameters(site.Uri, site.Platform, site.DbServer, database.Database, site.Aliases, site.Redirection, site.Profile, site.Language);
            if (!Finish(RunOperation(parameters).Task)) return;
            if (!site.Enabled && !Finish(RunOperation(new DisableSite.Parameters(site.Uri)).Task)) return;
        }
        WriteObject(Store.GetFresh<AegirSite>(site.Uri, "Uri"));
    }

    /// <summary>What depends on a record whose task failed here is not tried: the error says which and what to do.</summary>
    void Skip(string name, string dependency, string what)
    {
        if (!_failed.Contains(dependency)) return;
        _failed.Add(name);
        throw ErrorCatalog.StepFailed(ErrorIds.Aegir3DependencyFailed, $"Importing @{name}", $"{what} @{dependency} failed above, so it was not taken in",
            $"Fix @{dependency} (Invoke-AegirVerify {dependency.TrimStart('@')}), then run Import-AegirContext again: what is recorded already is left as it is.");
    }

    /// <summary>A record of the name here already is left as it is (a second run takes in only what the first did not).</summary>
    bool New(string name)
    {
        if (!Store.Exists(name)) return true;
        WriteWarning($"@{name} is recorded here already: left as it is (its alias file's values are not applied).");
        return false;
    }

    static string Describe(AegirServer s)
    {
        var services = new List<string>();
        if (!s.Http.IsNull) services.Add(s.IsCluster ? $"http cluster of {string.Join(", ", s.ClusterMembers)}" : $"http {s.Http.Type} on port {s.Http.Get("port")}");
        if (!s.Db.IsNull) services.Add($"db {s.Db.Type} on {s.Db.Get("host") ?? s.RemoteHost}:{s.Db.Get("port")} as {s.Db.Get("admin_user")}");
        return $"record the server @{s.Name} ({(s.IsCluster ? "a cluster" : s.RemoteHost)}): {(services.Count > 0 ? string.Join(", ", services) : "no services")}";
    }
}
