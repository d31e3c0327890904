using System.Collections;
using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Services.Certificates;
using Aegir.Core.Transport;
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

    /// <summary>The member web servers of a cluster (-HttpServiceType cluster): server records with a web service of their own.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? ClusterMembers { get; set; }

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

    /// <summary>The account the module logs in to the server as over ssh (root, or a user with sudo: -SshPrivilege sudo).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SshUser { get; set; }

    [Parameter]
    public int? SshPort { get; set; }

    /// <summary>The private key on this machine the module logs in with (its owner's alone).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SshKeyPath { get; set; }

    [Parameter]
    public System.Security.SecureString? SshKeyPassphrase { get; set; }

    /// <summary>The socket of an ssh-agent of this user's that holds the key the module logs in with, instead of -SshKeyPath.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SshAgentSocket { get; set; }

    /// <summary>The server's host key fingerprint (SHA256:...), pinned up front instead of by Invoke-AegirVerify -TrustHostKey; '' forgets a pinned key.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? HostKeyFingerprint { get; set; }

    /// <summary>root: the ssh user is root; sudo: it runs the module's helper and rsync through sudo (verify prints the rule it needs).</summary>
    [Parameter]
    [ValidateSet("root", "sudo")]
    public string? SshPrivilege { get; set; }

    /// <summary>The module's folder on the server, for its web server config and site logs (/var/aegir on another machine).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AegirRoot { get; set; }

    /// <summary>The ACME directory the web server's sites of the LetsEncrypt source get certificates from (Let's Encrypt's production directory by default).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AcmeDirectory { get; set; }

    /// <summary>The email of the ACME account; none set, no certificate is asked for (sites keep a self-signed one).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AcmeEmail { get; set; }

    /// <summary>A PEM file of the roots to trust for a private ACME directory (its API's certificate, the root it issues under), copied into the certificate store; '' forgets them.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? AcmeRootCertificate { get; set; }

    /// <summary>Applies what was given, in order: host and user, then each service's type before its settings.</summary>
    protected void Apply(AegirServer server)
    {
        // A cluster is no machine: what only a machine has is refused before anything is applied.
        if ((HttpServiceType?.ToLowerInvariant() ?? server.Http.Type) == Aegir.Core.Contexts.ServiceCatalog.Cluster)
        {
            if (RemoteHost is not null) throw ErrorCatalog.ClusterSettingInvalid(server.Name, "-RemoteHost");
            if (SshUser is not null || SshPort is not null || SshKeyPath is not null || SshKeyPassphrase is not null || HostKeyFingerprint is not null || SshPrivilege is not null)
                throw ErrorCatalog.ClusterSettingInvalid(server.Name, "-Ssh...");
            if (DbServiceType is not null || DbHost is not null || DbPort is not null || DbAdminCredential is not null)
                throw ErrorCatalog.ClusterSettingInvalid(server.Name, "-Db...");
        }
        else if (ClusterMembers is not null)
            throw ErrorCatalog.InvalidValue("ClusterMembers", string.Join(", ", ClusterMembers), $"'@{server.Name}' is not a cluster", "Give -HttpServiceType cluster too, or leave -ClusterMembers out.");
        if (RemoteHost is not null) server.RemoteHost = RemoteHost;
        if (ScriptUser is not null) server.ScriptUser = Validate.ScriptUser("ScriptUser", ScriptUser);
        if (AegirRoot is not null) server.AegirRoot = AegirRoot;
        ApplyConnection(server);

        if (HttpServiceType is not null) server.Http.ChangeType(HttpServiceType.ToLowerInvariant());
        if (ClusterMembers is not null) server.Http.Set(Aegir.Core.Services.Cluster.ClusterService.MembersSetting, string.Join(',', ClusterMembers));
        if (HttpPort is { } httpPort) server.Http.Set("port", Port("HttpPort", httpPort));
        ApplyTable(server.Http, HttpSetting, "HttpSetting");
        ApplyAcme(server);

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

    /// <summary>The ACME settings of the web service, each checked; the roots file is checked and copied into the store.</summary>
    void ApplyAcme(AegirServer server)
    {
        if (AcmeDirectory is null && AcmeEmail is null && AcmeRootCertificate is null) return;
        if (server.Http.IsNull)
            throw ErrorCatalog.InvalidValue("AcmeDirectory", AcmeDirectory ?? AcmeEmail ?? AcmeRootCertificate, $"'@{server.Name}' has no web service, whose sites the ACME settings are for",
                $"Give it one first: Set-AegirServer {server.Name} -HttpServiceType nginx (or apache).");
        if (AcmeDirectory is not null) server.Http.Set("acme_directory", Validate.HttpsUrl("AcmeDirectory", AcmeDirectory));
        if (AcmeEmail is not null) server.Http.Set("acme_email", Validate.Email("AcmeEmail", AcmeEmail));
        if (AcmeRootCertificate is null) return;
        _formerRoots = server.Http.Get("acme_roots");
        if (AcmeRootCertificate.Length == 0)
        {
            server.Http.Set("acme_roots", null);
            return;
        }
        var roots = AcmeSettings.CheckRoots(Store.Home, SessionState.Path.GetUnresolvedProviderPathFromPSPath(AcmeRootCertificate));
        server.Http.Set("acme_roots", roots.Copy);
        _roots = roots;
    }

    (string Copy, string Pem)? _roots;
    string? _formerRoots;

    /// <summary>
    /// After the record is written (not for -WhatIf): the roots file it names goes into the certificate store, and the
    /// one it named before leaves it when no server names that any more.
    /// </summary>
    protected void SaveAcmeRoots()
    {
        if (_roots is { } roots) AcmeSettings.SaveRoots(roots.Copy, roots.Pem);
        if (_formerRoots is { } former && former != _roots?.Copy
            && AcmeSettings.ForgetRoots(Store.Home, former, Store.List(ContextType.Server).Contexts.OfType<AegirServer>()))
            WriteVerbose($"Removed {former}: no server's acme_roots names it any more");
        _roots = null;
        _formerRoots = null;
    }

    /// <summary>The ssh settings: any of them makes the server's transport ssh; this machine is never reached over ssh.</summary>
    void ApplyConnection(AegirServer server)
    {
        bool given = SshUser is not null || SshPort is not null || SshKeyPath is not null || SshKeyPassphrase is not null || SshAgentSocket is not null || HostKeyFingerprint is not null || SshPrivilege is not null;
        if (!given) return;
        if (SshAgentSocket is not null && (SshKeyPath is not null || SshKeyPassphrase is not null)) throw ErrorCatalog.SshKeyAndAgent(server.Name);
        if (ThisMachine.Is(server))
            throw ErrorCatalog.InvalidValue("RemoteHost", server.RemoteHost, $"'@{server.Name}' is this machine, whose work is done here and never over ssh",
                "Leave out the -Ssh settings, or give -RemoteHost the address of the other machine.");
        var c = server.Connection;
        if (c.Type != SshSettings.Type) c.ChangeType(SshSettings.Type);
        if (SshUser is not null) c.Set(SshSettings.UserSetting, SshUser);
        if (SshPort is { } port) c.Set(SshSettings.PortSetting, Port("SshPort", port));
        // A key file or an agent: giving one forgets the other.
        if (SshKeyPath is not null)
        {
            c.Set(SshSettings.KeyPathSetting, SessionState.Path.GetUnresolvedProviderPathFromPSPath(SshKeyPath));
            c.Set(SshSettings.AgentSocketSetting, null);
        }
        if (SshAgentSocket is not null)
        {
            c.Set(SshSettings.AgentSocketSetting, SessionState.Path.GetUnresolvedProviderPathFromPSPath(SshAgentSocket));
            c.Set(SshSettings.KeyPathSetting, null);
            c.Set(SshSettings.KeyPassphraseSetting, null);
        }
        if (SshKeyPassphrase is not null)
        {
            if (c.Get(SshSettings.KeyPathSetting) is null && c.Get(SshSettings.AgentSocketSetting) is { } agent)
                throw ErrorCatalog.InvalidValue("SshKeyPassphrase", AegirService.Mask, $"'@{server.Name}' logs in with a key of the ssh-agent at {agent}, which needs no passphrase from the module",
                    $"Leave it out, or log in with a key file instead: Set-AegirServer {server.Name} -SshKeyPath <file> -SshKeyPassphrase <passphrase>.");
            c.Set(SshSettings.KeyPassphraseSetting, new System.Net.NetworkCredential("", SshKeyPassphrase).Password);
        }
        if (HostKeyFingerprint is not null) c.Set(SshSettings.HostKeySetting, HostKeyFingerprint.Length == 0 ? null : HostKeyFingerprint);
        if (SshPrivilege is not null) c.Set(SshSettings.PrivilegeSetting, SshPrivilege.ToLowerInvariant());
        // The key is read now, so a missing file, a key others can read, a wrong passphrase, or an agent that is not
        // there, not this user's or empty is told here, not at the first task.
        if (SshKeyPath is not null || SshKeyPassphrase is not null || SshAgentSocket is not null || c.Get(SshSettings.KeyPathSetting) is null && c.Get(SshSettings.AgentSocketSetting) is null)
            SshKeys.Check(SshAgentSocket is not null ? "SshAgentSocket" : "SshKeyPath", SshSettings.Of(server));
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
