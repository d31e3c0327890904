using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Lists platforms by name (wildcards allowed), web server or kind.</summary>
[Cmdlet(VerbsCommon.Get, "AegirPlatform", HelpUri = HelpLinks.Docs + "Get-AegirPlatform.md")]
[OutputType(typeof(AegirPlatform))]
public sealed class GetAegirPlatformCommand : AegirCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? WebServer { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Kind { get; set; }

    protected override void ProcessRecord()
    {
        string? server = null;
        if (WebServer is not null)
        {
            try { server = ContextNames.Canonical("WebServer", WebServer, ContextType.Server); }
            catch (Core.Errors.AegirException ex) { ThrowAegirError(ex, WebServer); }
        }
        foreach (var platform in ContextQuery.Find<AegirPlatform>(this, Store, ContextType.Platform, Name, ReportLoadErrors, (e, t) => WriteAegirError(e, t)))
        {
            if (server is not null && platform.WebServerName != server) continue;
            if (Kind is not null && !string.Equals(platform.Kind, Kind, StringComparison.OrdinalIgnoreCase)) continue;
            WriteObject(platform);
        }
    }
}
