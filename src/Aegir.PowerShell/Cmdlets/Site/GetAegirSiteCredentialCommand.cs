using System.Management.Automation;
using System.Security;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// A site's database credential for scripts: a PSCredential (user and password, the password as a SecureString)
/// that also says where the database is: Site, Driver (mysql, pgsql), Host, Port and Database.
/// </summary>
[Cmdlet(VerbsCommon.Get, "AegirSiteCredential", HelpUri = HelpLinks.Docs + "Get-AegirSiteCredential.md")]
[OutputType(typeof(PSCredential))]
public sealed class GetAegirSiteCredentialCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Uri { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var uri in Uri!)
            ForItem(uri, () =>
            {
                var db = SiteCredential.Of(Engine, ContextNames.Canonical("Uri", uri, ContextType.Site));
                var password = new SecureString();
                foreach (var c in db.Password) password.AppendChar(c);
                password.MakeReadOnly();
                var credential = PSObject.AsPSObject(new PSCredential(db.User, password));
                credential.TypeNames.Insert(0, "Aegir.SiteCredential");
                credential.Properties.Add(new PSNoteProperty("Site", db.Site));
                credential.Properties.Add(new PSNoteProperty("Driver", db.Driver));
                credential.Properties.Add(new PSNoteProperty("Host", db.Host));
                credential.Properties.Add(new PSNoteProperty("Port", db.Port));
                credential.Properties.Add(new PSNoteProperty("Database", db.Database));
                WriteObject(credential);
            });
    }
}
