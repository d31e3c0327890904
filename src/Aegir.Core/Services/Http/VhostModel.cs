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
    SiteDatabase Database);
