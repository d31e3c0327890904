using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Records a client: a customer who owns sites.</summary>
[Cmdlet(VerbsCommon.New, "AegirClient", HelpUri = HelpLinks.Docs + "New-AegirClient.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirClient))]
public sealed class NewAegirClientCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Email { get; set; }

    /// <summary>The UNIX group given access to the client's sites; the client's name when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? UnixGroup { get; set; }

    /// <summary>The group, where it is on a server already, is the admin's to give the client's sites (the module uses it and never deletes it).</summary>
    [Parameter]
    public SwitchParameter AdoptGroup { get; set; }

    /// <summary>How many sites the client may have: a whole number, 0 for no limit (the default).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? MaxSites { get; set; }

    /// <summary>The disk space its sites may take up (2GB, 500MB), as the statistics measure it; 0 for no limit (the default).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? DiskQuota { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var client = new AegirClient(ContextNames.Canonical("Name", Name, ContextType.Client)) { Email = Email };
        if (UnixGroup is not null) client.UnixGroup = UnixGroup;
        client.AdoptGroup = AdoptGroup;
        client.MaxSites = QuotaValues.SiteCount("MaxSites", MaxSites);
        client.DiskQuota = QuotaValues.DiskSize("DiskQuota", DiskQuota);
        if (CreateRecord(client, "Create client context")) WriteObject(client);
    });
}
