using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Local;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Local;

/// <summary>
/// Starts private nginx or Apache, PHP-FPM and MariaDB or PostgreSQL instances for a server under AEGIR_HOME on 127.0.0.1
/// ports (the web server on every address with -ListenAddress *; installing the Debian packages when missing), records
/// the server, and verifies it.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AegirLocalServer", HelpUri = HelpLinks.Docs + "Start-AegirLocalServer.md", SupportsShouldProcess = true)]
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

    /// <summary>The port HTTPS sites listen on; 0 (the default) keeps the port of an earlier start, or picks a free one.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int HttpsPort { get; set; }

    /// <summary>The database to run: mysql (MariaDB) or postgresql.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(DbServiceTypeCompleter))]
    [ValidateNotNullOrEmpty]
    public string DbServiceType { get; set; } = "mysql";

    [Parameter]
    [ValidateRange(0, 65535)]
    public int DbPort { get; set; }

    /// <summary>127.0.0.1 (loopback alone) or * (every address, IPv6 too); left out, an earlier start's, else 127.0.0.1.</summary>
    [Parameter]
    [ValidateSet("127.0.0.1", "*")]
    public string? ListenAddress { get; set; }

    /// <summary>A web server only; sites take their databases from another server.</summary>
    [Parameter]
    public SwitchParameter NoDatabase { get; set; }

    protected override void ProcessRecord() => ForItem(Name, () =>
    {
        var name = ContextNames.Canonical("Name", Name, ContextType.Server);
        var local = new LocalServer(Store.Home, name);
        var db = NoDatabase ? null : DbServiceType;
        if (!ShouldChange(WhatIfMode || Plan ? local.Describe(HttpServiceType, db) : [], "@" + name,
                $"Start local {HttpServiceType}, PHP-FPM{(db is null ? "" : " and " + db)} instances")) return;
        var (server, verify) = local.StartAndVerify(Engine, HttpServiceType, HttpPort, DbPort, db, m => WriteVerbose(m), HttpsPort, ListenAddress);
        if (Finish(verify.Task)) WriteObject(server);
    });
}
