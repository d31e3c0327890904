using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Records a platform: a codebase folder on a web server.</summary>
[Cmdlet(VerbsCommon.New, "AegirPlatform", SupportsShouldProcess = true)]
[OutputType(typeof(AegirPlatform))]
public sealed class NewAegirPlatformCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    /// <summary>The server whose http service hosts the platform; master when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? WebServer { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var platform = new AegirPlatform(ContextNames.Canonical("Name", Name, ContextType.Platform)) { Root = Root! };
        if (WebServer is not null) platform.WebServerName = WebServer;
        if (CreateRecord(platform, "Create platform context")) WriteObject(platform);
    });
}
