using System.Security;
using Aegir.Core.Contexts;
using Aegir.Core.Tasks;

namespace Aegir.Core.Operations;

/// <summary>What installing a site gives back: the site, its task, and the admin login, shown this once.</summary>
public sealed class SiteInstallation
{
    public required AegirSite Site { get; init; }
    public required AegirTask Task { get; init; }
    public string Uri => Site.Uri;
    public string Name => Site.Name;
    [Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes its name (the module's types file)
    public SiteStatus Status => Site.Status;
    public string? AdminUser { get; init; }
    /// <summary>The generated admin password; kept nowhere else.</summary>
    public SecureString? AdminPassword { get; init; }
    public string? LoginUrl { get; init; }

    public static SecureString? Secure(string? value)
    {
        if (value is null) return null;
        var secure = new SecureString();
        foreach (var c in value) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }
}
