using System.Collections;
using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Server;

/// <summary>The server settings New-AegirServer and Set-AegirServer share, and how they are applied.</summary>
public abstract class ServerSettingsCmdlet : AegirCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? RemoteHost { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScriptUser { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(HttpServiceTypeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? HttpServiceType { get; set; }

    [Parameter]
    public int? HttpPort { get; set; }

    /// <summary>Any other setting the http service type declares, such as restart_command.</summary>
    [Parameter]
    public Hashtable? HttpSetting { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(DbServiceTypeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? DbServiceType { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DbHost { get; set; }

    [Parameter]
    public int? DbPort { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? DbAdminCredential { get; set; }

    /// <summary>Any other setting the db service type declares.</summary>
    [Parameter]
    public Hashtable? DbSetting { get; set; }

    /// <summary>Applies what was given, in order: host and user, then each service's type before its settings.</summary>
    protected void Apply(AegirServer server)
    {
        if (RemoteHost is not null) server.RemoteHost = RemoteHost;
        if (ScriptUser is not null) server.ScriptUser = Validate.ScriptUser("ScriptUser", ScriptUser);

        if (HttpServiceType is not null) server.Http.ChangeType(HttpServiceType.ToLowerInvariant());
        if (HttpPort is { } httpPort) server.Http.Set("port", Port("HttpPort", httpPort));
        ApplyTable(server.Http, HttpSetting, "HttpSetting");

        if (DbServiceType is not null) server.Db.ChangeType(DbServiceType.ToLowerInvariant());
        if (DbHost is not null) server.Db.Set("host", DbHost);
        if (DbPort is { } dbPort) server.Db.Set("port", Port("DbPort", dbPort));
        if (DbAdminCredential is not null)
        {
            server.Db.Set("admin_user", DbAdminCredential.UserName);
            server.Db.Set("admin_password", DbAdminCredential.GetNetworkCredential().Password);
        }
        ApplyTable(server.Db, DbSetting, "DbSetting");
    }

    static string Port(string parameter, int port) => Validate.Port(parameter, port).ToString(System.Globalization.CultureInfo.InvariantCulture);

    static void ApplyTable(AegirService service, Hashtable? table, string parameter)
    {
        if (table is null) return;
        foreach (DictionaryEntry entry in table)
        {
            var key = entry.Key?.ToString();
            if (string.IsNullOrEmpty(key)) throw ErrorCatalog.InvalidValue(parameter, key, "a setting name is empty", "Name each setting, as in @{ restart_command = 'nginx -s reload' }.");
            var value = entry.Value switch
            {
                null => null,
                PSObject { BaseObject: var b } => Convert.ToString(b, System.Globalization.CultureInfo.InvariantCulture),
                var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
            };
            service.Set(key, value);
        }
    }
}
