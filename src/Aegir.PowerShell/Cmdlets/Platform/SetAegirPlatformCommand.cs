using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Changes a platform's root or web server; refused while sites run on it (move the sites instead).</summary>
[Cmdlet(VerbsCommon.Set, "AegirPlatform", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(AegirPlatform))]
public sealed class SetAegirPlatformCommand : PlatformTargetCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? WebServer { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForItem(Target, () =>
    {
        var platform = ReadPlatform();
        var (root, server) = (platform.Root, platform.WebServerName);
        if (Root is not null) platform.Root = Root;
        if (WebServer is not null) platform.WebServerName = WebServer;
        if (platform.Root != root || platform.WebServerName != server)
        {
            var sites = Store.FindReferrers(platform.Name);
            if (sites.Count > 0)
                throw ErrorCatalog.InvalidValue(Root is not null ? "Root" : "WebServer", Root ?? WebServer,
                    $"{sites.Count} site(s) run on '@{platform.Name}' ({string.Join(", ", sites.Take(5))})",
                    "Create a new platform for the new codebase or server and move the sites to it.");
        }
        Store.Check(platform, isNew: false);
        if (!ShouldProcess(platform.ToString(), "Update platform context")) return;
        Store.Update(platform);
        WriteVerbose($"Wrote {platform.Path}");
        if (PassThru) WriteObject(platform);
    });
}
