using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Platform;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>
/// Creates a platform: a codebase folder on a web server, recorded and verified in one task (its kind and version
/// found, its web server include written), so a codebase that fails its verify leaves no record. -NoVerify only records it.
/// </summary>
[Cmdlet(VerbsCommon.New, "AegirPlatform", HelpUri = HelpLinks.Docs + "New-AegirPlatform.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirPlatform), typeof(AegirPlanStep))]
public sealed class NewAegirPlatformCommand : QueueableTaskCmdlet
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

    /// <summary>The kind of codebase, instead of the one verify would detect.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformKindCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Kind { get; set; }

    /// <summary>A folder of this machine the codebase is kept in: every verify pushes it to -Root on the web server (rsync over ssh).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Source { get; set; }

    /// <summary>A git repository to build the codebase from: cloned into -Root on the web server as the platform's owner, -Ref checked out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Git { get; set; }

    /// <summary>The tag, branch (resolved to its commit at the build) or commit of -Git to build; required with -Git.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Ref { get; set; }

    /// <summary>After the checkout, composer install --no-dev from the commit's composer.lock.</summary>
    [Parameter]
    public SwitchParameter Composer { get; set; }

    /// <summary>Only record the platform, without reaching its server; verify it later with Invoke-AegirVerify (sites cannot be installed on it before).</summary>
    [Parameter]
    public SwitchParameter NoVerify { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        CheckBuild();
        var definition = new PlatformDefinition(Name!, Root!, WebServer, Kind, Source is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Source), Git, Ref, Composer);
        var platform = definition.ToPlatform();
        Settle(platform.Name);
        Store.Check(platform, isNew: true);
        if (NoVerify)
        {
            if (!CreateRecord(platform, "Create platform context")) return;
            WriteWarning($"@{platform.Name} is recorded but not verified: verify it (Invoke-AegirVerify {platform.Name}) before installing sites on it.");
            WriteObject(platform);
            return;
        }
        var parameters = new VerifyPlatform.Parameters(platform.Name, definition);
        if (!Approve(parameters, platform.ToString(), "Create and verify platform")) return;
        var outcome = RunOperation(parameters);
        if (Finish(outcome.Task) && Store.ReadFresh(platform.Name) is { } recorded) WriteObject(recorded);
    });

    /// <summary>The parameters of a build from git go together, and with nothing that brings the code otherwise.</summary>
    void CheckBuild()
    {
        if (Git is null)
        {
            if (Ref is not null) throw ErrorCatalog.InvalidValue("Ref", Ref, "it names what to check out of a git repository, and -Git names none", "Give -Git with the repository's url, or leave -Ref out.");
            if (Composer) throw ErrorCatalog.InvalidValue("Composer", "-Composer", "composer runs in a build from git, and -Git names no repository", "Give -Git and -Ref, or run composer in the codebase before creating the platform.");
            return;
        }
        if (Ref is null) throw GitSource.MovingTarget(GitSource.CheckUrl(Git));
        if (Source is not null) throw ErrorCatalog.InvalidValue("Source", Source, "a platform is either pushed from a folder of this machine or built from git on its web server", "Give one of -Source and -Git.");
        if (NoVerify) throw ErrorCatalog.InvalidValue("NoVerify", "-NoVerify", "a platform built from git is built and verified in one task, so that a failed build leaves nothing", "Leave -NoVerify out.");
    }
}
