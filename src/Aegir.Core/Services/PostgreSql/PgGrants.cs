namespace Aegir.Core.Services.PostgreSql;

/// <summary>
/// A site's role against what verify makes it (<see cref="PostgreSqlService.EnsureUser"/>): a login that owns its
/// database and holds all rights on it, where PUBLIC holds none, let in from the web server's hosts only, with no
/// other power, membership or right.
/// </summary>
internal static class PgGrants
{
    static readonly string[] All = ["CONNECT", "CREATE", "TEMPORARY"];

    public static IReadOnlyList<GrantDifference> Compare(string user, string database, IReadOnlyList<string> hosts, PgRoleFacts facts)
    {
        var where = $"role {user} on {database}";
        if (facts.Attributes is null) return [new(where, $"a login role that owns {database}", "no role")];
        var differences = new List<GrantDifference>();
        if (!facts.CanLogin) differences.Add(new(where, "LOGIN", "NOLOGIN"));
        if (facts.Owner is { } owner && owner != user) differences.Add(new(where, $"owner of {database}", $"{database} owned by {owner}"));
        var own = facts.Privileges.Where(p => p.Database == database && p.Grantee == user).Select(p => p.Privilege).ToHashSet(StringComparer.Ordinal);
        if (facts.Owner is not null && All.Except(own).ToList() is { Count: > 0 } missing)
            differences.Add(new(where, $"ALL ({string.Join(", ", All)}) on {database}", own.Count == 0 ? "no rights on it" : string.Join(", ", own.Order(StringComparer.Ordinal))));
        if (facts.Privileges.Where(p => p.Database == database && p.Grantee == "PUBLIC").Select(p => p.Privilege).ToList() is { Count: > 0 } open)
            differences.Add(new($"PUBLIC on {database}", "no rights (only its own role connects)", string.Join(", ", open.Distinct().Order(StringComparer.Ordinal))));
        foreach (var g in facts.Privileges.Where(p => p.Database == database && p.Grantee != user && p.Grantee != "PUBLIC" && p.Grantee != facts.Owner).GroupBy(p => p.Grantee))
            differences.Add(new($"role {g.Key} on {database}", "no role but the site's with rights on its database", string.Join(", ", g.Select(p => p.Privilege).Distinct().Order(StringComparer.Ordinal)),
                $"Revoke them if they are not yours (REVOKE ALL ON DATABASE {database} FROM {g.Key}); verify leaves other roles alone"));
        foreach (var power in facts.Attributes) differences.Add(new(where, "no power beyond its login", power));
        foreach (var role in facts.MemberOf) differences.Add(new(where, "member of no role", $"member of {role}"));
        foreach (var other in facts.OwnsOther) differences.Add(new(where, $"owner of {database} alone", $"owner of {other}"));
        foreach (var g in facts.Privileges.Where(p => p.Database != database && p.Grantee == user).GroupBy(p => p.Database))
            differences.Add(new(where, $"rights on {database} alone", $"{string.Join(", ", g.Select(p => p.Privilege).Distinct().Order(StringComparer.Ordinal))} on {g.Key}"));
        var hba = facts.HbaHosts.ToHashSet(StringComparer.Ordinal);
        if (!hba.SetEquals(hosts))
            differences.Add(new($"pg_hba.conf for {user}", $"from {string.Join(", ", hosts)}", hba.Count == 0 ? "no line" : $"from {string.Join(", ", facts.HbaHosts)}"));
        return differences;
    }
}
