using System.Management.Automation;
using Aegir.Core.Backups;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Backup;

/// <summary>Lists backups, newest first: all of them, a site's, or an archive from elsewhere read whole (-Path).</summary>
[Cmdlet(VerbsCommon.Get, "AegirBackup", HelpUri = HelpLinks.Docs + "Get-AegirBackup.md", DefaultParameterSetName = "BySite")]
[OutputType(typeof(AegirBackup))]
public sealed class GetAegirBackupCommand : AegirCmdlet
{
    /// <summary>The site whose backups to list; all sites' when left out.</summary>
    [Parameter(Position = 0, ParameterSetName = "BySite", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "Site")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Uri { get; set; }

    /// <summary>Archives to read (checked member by member against their checksums), wherever they are.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "ByPath")]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>At most this many backups per site (the newest).</summary>
    [Parameter(ParameterSetName = "BySite")]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; } = int.MaxValue;

    protected override void ProcessRecord()
    {
        var store = new BackupStore(Store.Home);
        if (Path is not null)
        {
            foreach (var path in Path)
                ForItem(path, () =>
                {
                    var full = GetUnresolvedProviderPathFromPSPath(path);
                    WriteObject(BackupArchive.FromSidecar(full) is { } known && known.Size == new FileInfo(full).Length ? known : BackupArchive.Describe(full, m => WriteVerbose(m)));
                });
            return;
        }
        if (Uri is null)
        {
            foreach (var group in store.List().GroupBy(b => b.Site))
                foreach (var b in group.Take(First)) WriteObject(b);
            return;
        }
        foreach (var uri in Uri)
            ForItem(uri, () =>
            {
                var name = ContextNames.Canonical("Uri", uri, ContextType.Site);
                foreach (var b in store.List(name).Take(First)) WriteObject(b);
            });
    }
}
