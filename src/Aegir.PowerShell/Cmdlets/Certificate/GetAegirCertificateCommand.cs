using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Services.Certificates;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Certificate;

/// <summary>
/// Gets sites' certificates as the certificate store holds them: names, issuer, validity, days left, source. Reads
/// the store's records only (no PEM file is opened); a site served over HTTPS whose certificate is missing is warned about.
/// </summary>
[Cmdlet(VerbsCommon.Get, "AegirCertificate", HelpUri = HelpLinks.Docs + "Get-AegirCertificate.md")]
[OutputType(typeof(AegirCertificate))]
public sealed class GetAegirCertificateCommand : AegirCmdlet
{
    /// <summary>The sites (wildcards allowed); every site when left out.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [SupportsWildcards]
    public string[]? Uri { get; set; }

    protected override void ProcessRecord()
    {
        var store = new CertificateStore(Store.Home);
        foreach (var site in ContextQuery.Sites(this, Store, Uri, ReportLoadErrors, (e, t) => WriteAegirError(e, t)))
            ForItem(site.Name, () =>
            {
                if (store.Get(site.Uri) is { } cert) WriteObject(cert);
                else if (site.Https != HttpsMode.Disabled && site.Status != SiteStatus.NotInstalled)
                    WriteWarning($"{site.Uri} is served over HTTPS ({site.Https}), but the certificate store holds no certificate for it: verify it (Invoke-AegirVerify {site.Uri}) to make one.");
            });
    }
}
