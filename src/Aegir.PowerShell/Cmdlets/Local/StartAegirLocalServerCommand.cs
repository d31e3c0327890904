using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Local;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Local;

/// <summary>
/// Starts private nginx or Apache, PHP-FPM and MariaDB instances for a server under AEGIR_HOME on 127.0.0.1
/// ports (installing the Debian packages when missing), records the server, and verifies it.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AegirLocalServer", SupportsShouldProcess = true)]
[OutputType(typeof(AegirServer), typeof(Core.Operations.AegirPlanStep))]
public sealed class StartAegirLocalServerCommand : TaskCmdlet
{
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "master";

    [Parameter]
    [ArgumentCompleter(typeof(HttpServiceTypeCompleter))]
    [ValidateSet("nginx", "apache")]
    public string HttpServiceType { get; set; } = "nginx";

    /// <summary>0 (the default) keeps the port of an earlier start, or picks a free one.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int HttpPort { get; set; }

    [Parameter]
    [ValidateRange(0, 65535)]
    public int DbPort { get; set; }

    /// <summary>A web server only; sites take their databases from another server.</summary>
    [Parameter]
    public SwitchParameter NoDatabase { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var name = ContextNames.Canonical("Name", Name, ContextType.Server);
        var local = new LocalServer(Store.Home, name);
        if (!ShouldChange(WhatIfMode || Plan ? local.Describe(HttpServiceType, !NoDatabase) : [], "@" + name,
                $"Start local {HttpServiceType}{(NoDatabase ? "" : ", PHP-FPM and MariaDB")} instances")) return;
        var (server, verify) = local.StartAndVerify(Engine, HttpServiceType, HttpPort, DbPort, !NoDatabase, m => WriteVerbose(m));
        if (Finish(verify.Task)) WriteObject(server);
    });
}
