using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>The site settings New-AegirSite and Set-AegirSite share.</summary>
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
    public string? Profile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Language { get; set; }

    /// <summary>Other host names the site answers to (replaces the list).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [AllowEmptyCollection]
    public string[]? Alias { get; set; }

    /// <summary>The host every other name redirects to: the uri or one alias; an empty string turns redirection off.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SiteHostCompleter))]
    [AllowEmptyString]
    public string? Redirection { get; set; }
}
