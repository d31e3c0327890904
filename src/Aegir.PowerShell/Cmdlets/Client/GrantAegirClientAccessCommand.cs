using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Client;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Grants a person a client's sites: into the client's group on their web servers (made a login with -Create), recorded with the client.</summary>
[Cmdlet(VerbsSecurity.Grant, "AegirClientAccess", HelpUri = HelpLinks.Docs + "Grant-AegirClientAccess.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirClient))]
public sealed class GrantAegirClientAccessCommand : ClientAccessCmdlet
{
    /// <summary>Makes the person a login on each web server where it has none.</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }

    /// <summary>The new login's SSH public key: the path of a .pub file, or the key line itself.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SshKey { get; set; }

    protected override object Parameters(string client, string user) => new GrantClientAccess.Parameters(client, user, Create, KeyText());

    protected override string Action(string user) => $"Grant {user} the client's sites{(Create ? $" (making the login {user} where it is missing)" : "")}";

    /// <summary>The key line: read from the file when -SshKey names one, else as given. A private key is refused without being shown.</summary>
    string? KeyText()
    {
        if (SshKey is null) return null;
        var text = SshKey;
        if (!SshKey.TrimStart().StartsWith("ssh-", StringComparison.Ordinal) && !SshKey.Contains(' '))
        {
            var path = GetUnresolvedProviderPathFromPSPath(SshKey);
            if (!File.Exists(path)) throw ErrorCatalog.InvalidValue("SshKey", SshKey, "there is no such file, and it is no key line", "Give the path of a .pub file, or the key line itself.");
            text = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0) ?? "";
        }
        if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
            throw ErrorCatalog.InvalidValue("SshKey", "(not shown)", "it is a private key, which never leaves its owner's machine", "Give the public key (the .pub file beside it).");
        return text.Trim();
    }
}
