namespace Aegir.Core.Services.Http;

/// <summary>The database a site's vhost hands to PHP (DB cloaking).</summary>
public sealed record SiteDatabase(string Type, string Host, int Port, string Name, string User, string Password);
