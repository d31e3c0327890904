using System.Management.Automation;
using Aegir.Core.Operations.Site;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Tasks;
using Aegir.PowerShell.Cmdlets.Site;

namespace Aegir.PowerShell.Cmdlets.Certificate;

/// <summary>
/// Asks the site's ACME directory for its certificate now (a site of the LetsEncrypt source): when it has none from
/// the CA yet, misses a name, or has fewer than 30 days left; with -Force whatever it has left. The new certificate
/// serves once the web server's config test passed; a failure leaves the one that served before serving.
/// </summary>
[Cmdlet(VerbsData.Update, "AegirCertificate", HelpUri = HelpLinks.Docs + "Update-AegirCertificate.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirTask), typeof(AegirCertificate))]
public sealed class UpdateAegirCertificateCommand : SiteTargetCmdlet
{
    /// <summary>Renews a certificate that has more than 30 days left too.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the site's certificate (Get-AegirCertificate's record) instead of the task.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        RenewCertificate.Check(Engine, site.Name);   // a site no CA can be asked for is refused with no Failed task
        var parameters = new RenewCertificate.Parameters(site.Name, Force);
        if (!Approve(parameters, site.ToString(), Force ? "Renew certificate now" : "Renew certificate if due")) return;
        Emit(RunOperation(parameters).Task, PassThru, () => new CertificateStore(Store.Home).Get(site.Uri));
    });
}
