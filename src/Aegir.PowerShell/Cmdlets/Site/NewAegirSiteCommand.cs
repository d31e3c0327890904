using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Creates a site: a uri on a platform with its own database, recorded and installed in one task unless
/// -NoInstall (then it is only recorded, status NotInstalled). A failed install leaves nothing behind, the record included.
/// </summary>
[Cmdlet(VerbsCommon.New, "AegirSite", HelpUri = HelpLinks.Docs + "New-AegirSite.md", SupportsShouldProcess = true)]
[OutputType(typeof(SiteInstallation), typeof(AegirSite), typeof(AegirPlanStep))]
public sealed class NewAegirSiteCommand : SiteSettingsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>Only record the site; install it later with Install-AegirSite.</summary>
    [Parameter]
    public SwitchParameter NoInstall { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? AdminEmail { get; set; }

    // The per-site settings again, taken from pipeline objects by property name as well (a CSV of sites to make).

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public override string? Profile { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public override string? Language { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [AllowEmptyCollection]
    public override string[]? Alias { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [AllowEmptyString]
    public override string? Redirection { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public override HttpsMode? Https { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public override CertificateSource? CertificateSource { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public override string? CertificatePath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public override string? CertificateKeyPath { get; set; }

    protected override bool ReloadsOncePerPipeline => true;

    protected override void ProcessRecord() => ForItem(Uri, () =>
    {
        var definition = new SiteDefinition(Uri!, Platform!, DbServer, Client, Profile, Language, Alias, Redirection,
            Https, CertificateSource, FullPath(CertificatePath), FullPath(CertificateKeyPath));
        var site = definition.ToSite(Store);
        Settle(site.Name);   // a New-AegirSite killed before leaves a record its repair removes: repaired first, then decided
        if (NoInstall)
        {
            // Checked all the same (a bad value is a mistake either way), and said to go unused: only an install takes them.
            _ = new InstallSite.Parameters(site.Name, Title, AdminEmail, definition).Checked();
            foreach (var (name, given) in new[] { ("Title", Title), ("AdminEmail", AdminEmail) })
                if (given is not null) WriteWarning($"-{name} was not used: -NoInstall records the site only; give it to Install-AegirSite {site.Name}.");
            if (!CreateRecord(site, "Create site context")) return;
            // Files given now are checked now, and kept in the certificate store until the install serves them.
            if (definition.Given is { } files) files.SaveTo(Store.Home, site);
            WriteObject(site);
            return;
        }
        Store.Check(site, isNew: true);
        var parameters = new InstallSite.Parameters(site.Name, Title, AdminEmail, definition).Checked();
        if (!Approve(parameters, site.ToString(), "Create and install site")) return;
        var outcome = RunOperation(parameters, done => SiteInstaller.From(new ContextStore(Store.Home), site.Name, done));
        if (!Finish(outcome.Task)) return;
        if (Engine.Batch is { Pending: > 0 }) _made.Add((site.Name, outcome));
        else WriteObject(SiteInstaller.From(Store, site.Name, outcome));
    });

    /// <summary>New sites whose web server reloads at the end of the pipeline: each is made once its page answered then.</summary>
    readonly List<(string Name, TaskOutcome Outcome)> _made = [];

    /// <summary>A new site that did not answer after the reload was removed again (an error says why): it is written as made only if it is still there.</summary>
    protected override void AfterReloads()
    {
        foreach (var (name, outcome) in _made)
            if (Store.ReadFresh(name) is AegirSite) WriteObject(SiteInstaller.From(Store, name, outcome));
        _made.Clear();
    }
}
