using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// The site settings New-AegirSite and Set-AegirSite share. The per-site ones are virtual: New-AegirSite takes them
/// from pipeline objects by property name too (a list of sites to make), while Set-AegirSite must not, as a piped
/// site record has properties of those names (Https, CertificateSource, Profile) that would be written back.
/// </summary>
public abstract class SiteSettingsCmdlet : QueueableTaskCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? DbServer { get; set; }

    /// <summary>The owning client; an empty string clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    [AllowEmptyString]
    public string? Client { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public virtual string? Profile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public virtual string? Language { get; set; }

    /// <summary>Other host names the site answers to (replaces the list).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [AllowEmptyCollection]
    public virtual string[]? Alias { get; set; }

    /// <summary>The host every other name redirects to: the uri or one alias; an empty string turns redirection off.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [AllowEmptyString]
    public virtual string? Redirection { get; set; }

    /// <summary>Whether the site is served over HTTPS: Disabled, Enabled (beside HTTP) or Required (HTTP sends visitors there; HSTS).</summary>
    [Parameter]
    public virtual HttpsMode? Https { get; set; }

    /// <summary>Where the certificate comes from: LetsEncrypt (the default), SelfSigned, or File (with -CertificatePath and -CertificateKeyPath).</summary>
    [Parameter]
    public virtual CertificateSource? CertificateSource { get; set; }

    /// <summary>A PEM file with the site's certificate, then its chain (the File source); checked, then copied into the certificate store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public virtual string? CertificatePath { get; set; }

    /// <summary>The PEM file of the certificate's private key, unencrypted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public virtual string? CertificateKeyPath { get; set; }

    /// <summary>A path as given, made full from the current location (a file on this machine).</summary>
    protected string? FullPath(string? path) => path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
