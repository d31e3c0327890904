namespace Aegir.Core.Services.PostgreSql;

/// <summary>What the server says of a site's role: read by <see cref="PostgreSqlService.GrantDrift"/>, judged by <see cref="PgGrants.Compare"/>.</summary>
/// <param name="Owner">The owner of the site's database; null when there is no such database.</param>
/// <param name="Privileges">Rights on databases held by the role, and on the site's database by PUBLIC and any other role but its owner and superusers (default rights counted).</param>
/// <param name="Attributes">The role's powers beyond a login (SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS); null when there is no such role.</param>
/// <param name="HbaHosts">The hosts the module's block of pg_hba.conf lets the role in from.</param>
internal sealed record PgRoleFacts(
    string? Owner, IReadOnlyList<(string Database, string Grantee, string Privilege)> Privileges, bool CanLogin,
    IReadOnlyList<string>? Attributes, IReadOnlyList<string> MemberOf, IReadOnlyList<string> OwnsOther, IReadOnlyList<string> HbaHosts);
