using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Changes a client's email, UNIX group or quota.</summary>
[Cmdlet(VerbsCommon.Set, "AegirClient", HelpUri = HelpLinks.Docs + "Set-AegirClient.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirClient))]
public sealed class SetAegirClientCommand : RecordTargetCmdlet<AegirClient>
{
    /// <summary>The client's email; an empty string clears it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? Email { get; set; }

    /// <summary>The UNIX group; an empty string returns to the default (the client's name).</summary>
    [Parameter]
    [AllowEmptyString]
    public string? UnixGroup { get; set; }

    /// <summary>How many sites the client may have; 0 or an empty string removes the limit. Sites it has already stay.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? MaxSites { get; set; }

    /// <summary>The disk space its sites may take up (2GB, 500MB); 0 or an empty string removes the quota.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? DiskQuota { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordNamed(string name)
    {
        // Checked before the record is read: a bad value is refused with nothing changed and no prompt.
        var maxSites = QuotaValues.SiteCount("MaxSites", MaxSites);
        var diskQuota = QuotaValues.DiskSize("DiskQuota", DiskQuota);
        var client = ChangeRecord<AegirClient>(name, "Name", c =>
        {
            if (MaxSites is not null) c.MaxSites = maxSites;
            if (DiskQuota is not null) c.DiskQuota = diskQuota;
            if (Email is not null) c.Email = Email;
            if (UnixGroup is not null) c.UnixGroup = UnixGroup;
        }, "Update client context");
        if (client is not null && PassThru) WriteObject(client);
    }
}
