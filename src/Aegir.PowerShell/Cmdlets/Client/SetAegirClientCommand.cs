using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Client;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Changes a client's email or quota (its record), or its UNIX group (a task that moves its sites' ACL entries and its people to the new group).</summary>
[Cmdlet(VerbsCommon.Set, "AegirClient", HelpUri = HelpLinks.Docs + "Set-AegirClient.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirClient), typeof(AegirPlanStep))]
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

    /// <summary>The group, where it is on a server already and the module did not make it for the client, is the admin's to give the client's sites.</summary>
    [Parameter]
    public SwitchParameter AdoptGroup { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordNamed(string name)
    {
        // Checked before the record is read: a bad value is refused with nothing changed and no prompt.
        var maxSites = QuotaValues.SiteCount("MaxSites", MaxSites);
        var diskQuota = QuotaValues.DiskSize("DiskQuota", DiskQuota);
        var group = UnixGroup is null or "" ? UnixGroup : ClientGroups.Check("UnixGroup", UnixGroup);
        var before = Current<AegirClient>(name, "Name");
        var regroup = group is not null || AdoptGroup.IsPresent
            ? new ChangeClientGroup.Parameters(name, group is null ? before.UnixGroup : group.Length == 0 ? ClientGroups.Default(before.ShortName) : group, AdoptGroup)
            : null;
        var client = before;
        // The group changes on the servers of the client's sites, in a task: its ACL entries and people move with it.
        // It runs first: when it fails, the client's record is left as it was, email and quotas too.
        if (regroup is not null && (regroup.UnixGroup != before.UnixGroup || regroup.Adopt != before.AdoptGroup))
        {
            OperationRegistry.For(regroup).Check(regroup, Store);
            if (!Approve(regroup, before.ToString(), $"Give the client the group {regroup.UnixGroup}, moving its sites' ACL entries and its people there")) return;
            if (!Finish(RunOperation(regroup).Task)) return;
            client = Store.GetFresh<AegirClient>(name, "Name");
        }
        if (MaxSites is not null || DiskQuota is not null || Email is not null)
        {
            client = ChangeRecord<AegirClient>(name, "Name", c =>
            {
                if (MaxSites is not null) c.MaxSites = maxSites;
                if (DiskQuota is not null) c.DiskQuota = diskQuota;
                if (Email is not null) c.Email = Email;
            }, "Update client context");
            if (client is null) return;
        }
        if (PassThru) WriteObject(client);
    }
}
