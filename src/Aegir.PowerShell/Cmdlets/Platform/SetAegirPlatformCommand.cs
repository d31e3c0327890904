using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Platform;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Changes a platform's root, web server or kind; refused while sites run on it (move the sites instead).</summary>
[Cmdlet(VerbsCommon.Set, "AegirPlatform", HelpUri = HelpLinks.Docs + "Set-AegirPlatform.md", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
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

    /// <summary>The kind of codebase, instead of the one verify detects; auto to detect it again.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformKindCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Kind { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessPlatform() => ForItem(Target, () =>
    {
        var changes = new PlatformChanges(Root, WebServer, Kind);
        var platform = ChangeRecord<AegirPlatform>(ReadPlatform().Name, "Name", p => changes.ApplyTo(p, Store), "Update platform context");
        if (platform is null) return;
        // -Queue and -AsJob hand on the verify the change calls for.
        if (Queue || AsJob) Finish(RunOperation(new VerifyPlatform.Parameters(platform.Name)).Task);
        else if (platform.Kind is null && !WhatIfMode)
            WriteWarning($"@{platform.Name} must be verified (Invoke-AegirVerify {platform.Name}) before sites can be installed on it.");
        if (PassThru) WriteObject(platform);
    });
}
