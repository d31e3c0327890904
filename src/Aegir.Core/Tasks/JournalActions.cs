namespace Aegir.Core.Tasks;

/// <summary>The kinds of journal action and how each is written down; the engine's <see cref="IJournalExecutor"/> carries them out.</summary>
public static class JournalActions
{
    public const string RemoveContextKind = "context.remove";
    public const string RecreateContextKind = "context.recreate";
    public const string RestoreFieldsKind = "context.fields";
    public const string DropDatabaseKind = "db.drop";
    public const string RestoreConfigKind = "web.restore";
    public const string RestoreFileKind = "file.restore";
    public const string DeletePathKind = "path.delete";
    public const string EmptyFolderKind = "path.empty";
    public const string MovePathKind = "path.move";
    public const string DeleteBackupKind = "backup.delete";
    public const string DropUserKind = "db.dropuser";
    public const string RestoreAttributesKind = "path.attributes";
    public const string RestoreModesKind = "path.modes";
    public const string RestorePoolKind = "php.restore";
    public const string DeleteAccountKind = "account.delete";
    public const string DropUserAclKind = "acl.dropuser";
    public const string DropSharedAclKind = "acl.dropshared";
    public const string DeleteGroupKind = "group.delete";
    public const string RestoreGroupKind = "group.restore";
    public const string MarkGroupKind = "group.mark";
    public const string UnmarkGroupKind = "group.unmark";
    public const string LeaveGroupKind = "group.leave";
    public const string JoinGroupKind = "group.join";
    public const string DeletePersonKind = "user.delete";
    public const string DropGroupAclKind = "acl.drop";
    public const string GrantGroupAclKind = "acl.grant";
    public const string RestoreCertificateKind = "cert.restore";
    public const string RemoveCertificateKind = "cert.remove";
    public const string NoneKind = "none";

    /// <summary>True for a change of a context record alone (removing one, putting back fields): no server is asked.</summary>
    public static bool ChangesRecord(JournalAction action) => action.Kind is RemoveContextKind or RestoreFieldsKind;

    /// <summary>Marks a point after which the task keeps its changes; there is nothing to carry out.</summary>
    public static readonly JournalAction None = new(NoneKind, "nothing", []);

    public static JournalAction RemoveContext(string name)
        => new(RemoveContextKind, $"remove the context of '@{name}'", new() { ["name"] = name });

    /// <summary>Writes back a removed context, saved whole in <paramref name="data"/>.</summary>
    public static JournalAction RecreateContext(string name, string data)
        => new(RecreateContextKind, $"write back the context of '@{name}'", new() { ["name"] = name }, data);

    /// <summary>Puts back the old values of some fields (saved in <paramref name="data"/>), leaving the rest as they are now.</summary>
    public static JournalAction RestoreFields(string name, IEnumerable<string> keys, string data)
        => new(RestoreFieldsKind, $"put back {string.Join(", ", keys)} of '@{name}'", new() { ["name"] = name }, data);

    public static JournalAction DropDatabase(string server, string database, string user)
        => new(DropDatabaseKind, $"drop database {database} and user {user} on '@{server}'", new() { ["server"] = server, ["database"] = database, ["user"] = user });

    /// <summary>Puts back web server config files saved in <paramref name="data"/>, then tests and reloads.</summary>
    public static JournalAction RestoreConfig(string server, string data, IEnumerable<string> files)
        => new(RestoreConfigKind, $"put back {string.Join(", ", files.Select(Path.GetFileName))} on '@{server}' and reload", new() { ["server"] = server }, data);

    /// <summary>Puts back a file as it was (saved in <paramref name="data"/>), or deletes it if there was none.</summary>
    public static JournalAction RestoreFile(string server, string path, string data)
        => new(RestoreFileKind, $"put back {path} on '@{server}'", new() { ["server"] = server, ["path"] = path }, data);

    /// <summary>Puts back which certificate the store serves for a site (its record saved in <paramref name="data"/>; none: the site's certificates go).</summary>
    public static JournalAction RestoreCertificate(string uri, string? data)
        => new(RestoreCertificateKind, $"put back the certificate of {uri} in the certificate store", new() { ["uri"] = uri }, data);

    /// <summary>Removes a site's certificates and keys from the certificate store (a site that is gone, or renamed).</summary>
    public static JournalAction RemoveCertificate(string uri)
        => new(RemoveCertificateKind, $"remove the certificates and keys of {uri} from the certificate store", new() { ["uri"] = uri });

    public static JournalAction DeletePath(string server, string path)
        => new(DeletePathKind, $"delete {path} on '@{server}'", new() { ["server"] = server, ["path"] = path });

    /// <summary>Drops a database user that a task made, leaving the database.</summary>
    public static JournalAction DropUser(string server, string user)
        => new(DropUserKind, $"drop user {user} on '@{server}'", new() { ["server"] = server, ["user"] = user });

    /// <summary>Puts back a path's owner, group and mode as they were.</summary>
    /// <summary>Deletes everything in a folder that was empty, keeping the folder itself (an admin's, with its owner, mode and ACL).</summary>
    public static JournalAction EmptyFolder(string server, string path)
        => new(EmptyFolderKind, $"empty {path} on '@{server}' again", new() { ["server"] = server, ["path"] = path });

    public static JournalAction RestoreAttributes(string server, string path, string owner, string group, UnixFileMode mode)
        => new(RestoreAttributesKind, $"put back {owner}:{group} {Convert.ToString((int)mode, 8)} on {path} on '@{server}'",
            new() { ["server"] = server, ["path"] = path, ["owner"] = owner, ["group"] = group, ["mode"] = ((int)mode).ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>Puts back the modes of files under <paramref name="root"/> (saved in <paramref name="data"/>: octal mode, space, path, each ended by a NUL).</summary>
    public static JournalAction RestoreModes(string server, string root, string data)
        => new(RestoreModesKind, $"put back the modes of the files under {root} on '@{server}' that it changed", new() { ["server"] = server, ["root"] = root }, data);

    /// <summary>Deletes a backup archive (or its description) on this machine, under AEGIR_HOME's backups folder only.</summary>
    public static JournalAction DeleteBackup(string path)
        => new(DeleteBackupKind, $"delete the backup file {path}", new() { ["path"] = path });

    /// <summary>Moves <paramref name="from"/> to <paramref name="to"/> when it is still there (moving something back is this with the two swapped).</summary>
    public static JournalAction MovePath(string server, string from, string to)
        => new(MovePathKind, $"move {from} to {to} on '@{server}'", new() { ["server"] = server, ["from"] = from, ["to"] = to });

    /// <summary>Puts back a site's PHP-FPM pool file saved in <paramref name="data"/> (or deletes it), tests PHP-FPM's config, and reloads.</summary>
    public static JournalAction RestorePool(string server, string data, string path)
        => new(RestorePoolKind, $"put back {Path.GetFileName(path)} on '@{server}' and reload PHP-FPM", new() { ["server"] = server }, data);

    /// <summary>Deletes the UNIX account a task made for a site (only while its comment still names that site, and no pool on the machine runs as it).</summary>
    /// <param name="shared">Folders whose ACL entries for the account go first.</param>
    /// <param name="pool">The site's pool on <paramref name="server"/>, which does not count (the same pool on another server of the machine does).</param>
    public static JournalAction DeleteAccount(string server, string account, string uri, string pool, IEnumerable<string> shared)
        => new(DeleteAccountKind, $"delete the account {account} of {uri} on '@{server}'",
            new() { ["server"] = server, ["account"] = account, ["uri"] = uri, ["pool"] = pool, ["shared"] = string.Join('\n', shared) });

    /// <summary>Deletes the temporary account a platform's build from git ran as (only while its comment names that build), and its processes.</summary>
    public static JournalAction DeleteBuildAccount(string server, string account, string platform)
        => new(DeleteAccountKind, $"delete the account {account} of the build of @{platform} on '@{server}'",
            new() { ["server"] = server, ["account"] = account, ["platform"] = platform });

    /// <summary>Deletes the UNIX account all sites of a client ran as (only while its comment names that client, and no other site's pool runs as it).</summary>
    /// <param name="shared">Folders whose ACL entries for the account go first.</param>
    /// <param name="pool">The pool of the site the task is for, which does not count as another site.</param>
    public static JournalAction DeleteClientAccount(string server, string account, string client, string pool, IEnumerable<string> shared)
        => new(DeleteAccountKind, $"delete the account {account} of the client {client} on '@{server}' once no other site runs as it",
            new() { ["server"] = server, ["account"] = account, ["client"] = client, ["pool"] = pool, ["shared"] = string.Join('\n', shared) });

    /// <summary>Takes away the ACL entries (and default entries) of a user in paths (one a line), as a site's move to another account gave them.</summary>
    /// <summary>
    /// Takes an account's entries away in a platform's shared folders once no site of the platform runs as it on that
    /// server any more (<paramref name="uri"/> is the site that left).
    /// </summary>
    public static JournalAction DropSharedAcl(string server, string account, string platform, string uri, IEnumerable<string> folders)
        => new(DropSharedAclKind, $"take the entries of {account} away in the shared folders of @{platform} on '@{server}' when no site there runs as it",
            new() { ["server"] = server, ["account"] = account, ["platform"] = platform, ["uri"] = uri, ["paths"] = string.Join('\n', folders) });

    public static JournalAction DropUserAcl(string server, string user, IEnumerable<string> paths)
        => new(DropUserAclKind, $"take the ACL entries of {user} away on '@{server}'", new() { ["server"] = server, ["user"] = user, ["paths"] = string.Join('\n', paths) });
    /// <summary>Deletes a group a task made (a client's, on a web server).</summary>
    public static JournalAction DeleteGroup(string server, string group)
        => new(DeleteGroupKind, $"delete the group {group} on '@{server}'", new() { ["server"] = server, ["group"] = group });

    /// <summary>Makes again, with its number, a client's group a task deleted (the module had made it), marked made again.</summary>
    public static JournalAction RestoreGroup(string server, string group, int gid, string client)
        => new(RestoreGroupKind, $"make the group {group} again on '@{server}'",
            new() { ["server"] = server, ["group"] = group, ["gid"] = gid.ToString(System.Globalization.CultureInfo.InvariantCulture), ["client"] = client });

    /// <summary>Notes again what the module knew of a client's group on a server (a mark a task forgot).</summary>
    public static JournalAction MarkGroup(string server, string group, string client, int gid, bool made)
        => new(MarkGroupKind, $"note the group {group} on '@{server}' as the client's again",
            new() { ["server"] = server, ["group"] = group, ["client"] = client, ["gid"] = gid.ToString(System.Globalization.CultureInfo.InvariantCulture), ["made"] = made ? "true" : "false" });

    /// <summary>Forgets a mark a task wrote for a group that was there already (adopted).</summary>
    public static JournalAction UnmarkGroup(string server, string group)
        => new(UnmarkGroupKind, $"forget the group {group} on '@{server}' as the client's", new() { ["server"] = server, ["group"] = group });

    /// <summary>Takes a user out of a group a task put it into.</summary>
    public static JournalAction LeaveGroup(string server, string user, string group)
        => new(LeaveGroupKind, $"take {user} out of the group {group} on '@{server}'", new() { ["server"] = server, ["user"] = user, ["group"] = group });

    /// <summary>Puts a user back into a group a task took it out of.</summary>
    public static JournalAction JoinGroup(string server, string user, string group)
        => new(JoinGroupKind, $"put {user} back into the group {group} on '@{server}'", new() { ["server"] = server, ["user"] = user, ["group"] = group });

    /// <summary>Deletes a login a task made, with its home.</summary>
    public static JournalAction DeletePerson(string server, string user)
        => new(DeletePersonKind, $"delete the user {user} and its home on '@{server}'", new() { ["server"] = server, ["user"] = user });

    /// <summary>Takes a group's ACL entries away from the paths (one a line) a task gave them on.</summary>
    /// <param name="owner">The files' owner, whom the walk runs as (see Services.Files.GroupAcl).</param>
    public static JournalAction DropGroupAcl(string server, string group, string paths, string owner)
        => new(DropGroupAclKind, $"take the ACL entries of the group {group} away on '@{server}'", new() { ["server"] = server, ["group"] = group, ["paths"] = paths, ["owner"] = owner });

    /// <summary>Gives a group back its ACL entries (read under <paramref name="read"/>, read and write under <paramref name="write"/>, read of <paramref name="files"/>; each one a line) that a task took away.</summary>
    public static JournalAction GrantGroupAcl(string server, string group, string read, string write, string files, string owner)
        => new(GrantGroupAclKind, $"give the group {group} its ACL entries back on '@{server}'", new() { ["server"] = server, ["group"] = group, ["read"] = read, ["write"] = write, ["files"] = files, ["owner"] = owner });
}
