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
[OutputType(typeof(AegirServer))]
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
        var existing = Store.ReadFresh(name);
        if (existing is not null and not AegirServer)
            throw Core.Errors.ErrorCatalog.WrongContextType(name, ContextNames.Label(existing.Type), "server", "Name");
        var server = existing as AegirServer ?? new AegirServer(name) { RemoteHost = "localhost" };
        if (existing is null) server.ScriptUser = AegirServer.LocalScriptUser();
        if (!ShouldProcess(server.ToString(), $"Start local {HttpServiceType}{(NoDatabase ? "" : ", PHP-FPM and MariaDB")} instances")) return;

        new LocalServer(Store.Home, name).Start(server, HttpServiceType, HttpPort, DbPort, !NoDatabase, m => WriteVerbose(m));
        if (existing is null) Store.Create(server); else Store.Update(server);
        var task = Hosting.VerifyServer(server);
        if (Finish(task)) WriteObject(Store.GetFresh<AegirServer>(name, "Name"));
    });
}
