namespace Aegir.Core.Services.Http;

/// <summary>The database a site's vhost hands to PHP (DB cloaking).</summary>
public sealed record SiteDatabase(string Type, string Host, int Port, string Name, string User, string Password);

/// <summary>Everything a vhost template needs about one site.</summary>
public sealed record VhostModel(
    string Uri,
    string Platform,
    string Root,
    IReadOnlyList<string> HostNames,
    string? Redirection,
    bool Enabled,
    string? FilesPath,
    string? PrivatePath,
    SiteDatabase Database)
{
    /// <summary>Where requests that are no file go, relative to the root.</summary>
    public string FrontController { get; init; } = "index.php";
    /// <summary>Paths never served, from the site's root: a folder ends in '/'.</summary>
    public IReadOnlyList<string> Denied { get; init; } = [];
}
