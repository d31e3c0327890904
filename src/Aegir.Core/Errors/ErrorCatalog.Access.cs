namespace Aegir.Core.Errors;

/// <summary>The errors of clients' groups and the people granted their sites.</summary>
public static partial class ErrorCatalog
{
    public static AegirException ClientGroupTaken(string group, string client, string other)
        => new("ClientGroupTaken", AegirErrorKind.ResourceExists,
            $"UnixGroup {group} of the client '{client}' is the group of the client '{other}' already: its people would reach both clients' sites. Give '{client}' a group of its own with -UnixGroup (such as c-{client}).", group) { NothingChanged = true };

    public static AegirException AclToolMissing(string server, string detail)
        => E("AclToolMissing", AegirErrorKind.ObjectNotFound, server,
            $"setfacl is not on '@{server}' ({detail}), so the client's group cannot be given the site's folders. Install the acl package there (apt-get install acl), then run the task again.");

    public static AegirException PersonMissing(string user, string server, string client)
        => E("PersonMissing", AegirErrorKind.ObjectNotFound, user,
            $"There is no user {user} on '@{server}', which serves sites of the client '{client}'. Make the user there first, or let the module make it: Grant-AegirClientAccess -Client {client} -User {user} -Create -SshKey <public key>.");

    public static AegirException PersonPrivileged(string user, string server, string why)
        => E("PersonPrivileged", AegirErrorKind.InvalidOperation, user,
            $"{user} on '@{server}' holds powers no client's person may have ({why}), so it was granted nothing. Grant a person's own unprivileged login instead (Grant-AegirClientAccess -Create makes one).");

    /// <param name="grantedBy">The clients whose sites <paramref name="user"/> is granted (none: no client's).</param>
    public static AegirException PersonNotGranted(string user, string site, string? client, IReadOnlyList<string> grantedBy)
        => E("PersonNotGranted", AegirErrorKind.SecurityError, user,
            $"{user} may not run commands on {site}: " + (client is null ? "the site belongs to no client, so only the script user runs its commands" : $"it belongs to the client '{client}', which has not granted {user}")
            + (grantedBy.Count == 0 ? $", and no client has granted {user} its sites." : $" ({user} is granted the sites of {string.Join(", ", grantedBy.Select(c => $"'{c}'"))}).")
            + (client is null ? $" Give the site a client (Set-AegirSite {site} -Client <name>) and grant {user} there." : $" Grant it with Grant-AegirClientAccess -Client {client} -User {user}, if {user} should."));
}
