namespace Aegir.Core.Errors;

/// <summary>Every error id and message in one place, so ids stay stable and wording stays consistent.</summary>
public static class ErrorCatalog
{
    internal static AegirException E(string id, AegirErrorKind kind, object? target, string message, Exception? inner = null)
        => new(id, kind, message, target, inner);

    public static AegirException InvalidValue(string parameter, string? value, string problem, string fix)
        => E("InvalidValue", AegirErrorKind.InvalidArgument, value,
            $"{parameter} {Show(value)} is not valid: {problem}. {fix}");

    public static AegirException Missing(string parameter, string fix)
        => E("MissingValue", AegirErrorKind.InvalidArgument, null, $"{parameter} is required. {fix}");

    /// <summary>A context that is not in the home read (<paramref name="home"/>, named: a shell without $env:AEGIR_HOME reads ~/.aegir).</summary>
    public static AegirException ContextNotFound(string name, string? expectedType, string home)
        => E("ContextNotFound", AegirErrorKind.ObjectNotFound, name,
            (expectedType is null
                ? $"No context named '@{name}' exists in {home}. List them with Get-AegirServer, Get-AegirPlatform, Get-AegirSite or Get-AegirClient"
                : $"No {expectedType} named '@{name}' exists in {home}. List them with Get-Aegir{Noun(expectedType)}, or create it with New-Aegir{Noun(expectedType)}")
            + " (the module's home is $env:AEGIR_HOME, else ~/.aegir).");

    public static AegirException WrongContextType(string name, string actualType, string expectedType, string parameter)
        => E("WrongContextType", AegirErrorKind.InvalidArgument, name,
            $"{parameter} '@{name}' is a {actualType}, not a {expectedType}. Pass the name of a {expectedType} (see Get-Aegir{Noun(expectedType)}).");

    public static AegirException ContextExists(string name, string type)
        => new("ContextExists", AegirErrorKind.ResourceExists,
            $"A {type} named '@{name}' already exists. Change it with Set-Aegir{Noun(type)}, or remove it first with Remove-Aegir{Noun(type)}.", name) { NothingChanged = true };

    public static AegirException NameTaken(string host, string owner)
        => E("HostNameTaken", AegirErrorKind.ResourceExists, host,
            $"'{host}' is already used by the site '@{owner}' (as its uri or an alias). A host name can belong to one site only; remove it there first.");

    public static AegirException ContextInUse(string name, IEnumerable<string> referrers)
    {
        var list = referrers.Select(r => "@" + r).ToList();
        var shown = string.Join(", ", list.Take(20)) + (list.Count > 20 ? $" and {list.Count - 20} more" : "");
        return E("ContextInUse", AegirErrorKind.InvalidOperation, name,
            $"'@{name}' cannot be removed: it is used by {shown}. Move or remove those first.");
    }

    public static AegirException ServiceMissing(string server, string service, string parameter)
        => E("ServiceMissing", AegirErrorKind.InvalidArgument, server,
            $"{parameter} '@{server}' has no {service} service. Give it one with Set-AegirServer -{(service == "http" ? "Http" : "Db")}ServiceType, or choose another server.");

    public static AegirException UnknownServiceType(string service, string type, IEnumerable<string> known)
        => E("UnknownServiceType", AegirErrorKind.InvalidArgument, type,
            $"'{type}' is not a {service} service type. Use one of: {string.Join(", ", known)}.");

    public static AegirException UnknownSetting(string service, string type, string key, IEnumerable<string> known)
        => E("UnknownServiceSetting", AegirErrorKind.InvalidArgument, key,
            $"The {service} service type '{type}' has no setting '{key}'. Its settings are: {string.Join(", ", known)}.");

    public static AegirException NoServiceSettings(string service, string key)
        => E("NoServiceSettings", AegirErrorKind.InvalidArgument, key,
            $"The server has no {service} service, so it has no setting '{key}'. Choose a type first with -{(service == "http" ? "Http" : "Db")}ServiceType.");

    public static AegirException PlatformLocked(string platform)
        => E("PlatformLocked", AegirErrorKind.InvalidOperation, platform,
            $"The platform '@{platform}' is locked: no new sites can be put on it. Unlock it with Unlock-AegirPlatform, or choose another platform.");

    public static AegirException ClientSiteLimit(string client, string shortName, int max, IReadOnlyList<string> sites, string site)
    {
        var shown = string.Join(", ", sites.Take(5).Select(s => "@" + s)) + (sites.Count > 5 ? $" and {sites.Count - 5} more" : "");
        return new("ClientSiteLimit", AegirErrorKind.InvalidOperation,
            $"The client '@{client}' may have {max} site{(max == 1 ? "" : "s")} and has {sites.Count} ({shown}): '@{site}' would be one too many. " +
            $"Raise its limit (Set-AegirClient {shortName} -MaxSites {sites.Count + 1}), or remove one of its sites first.", client) { NothingChanged = true };
    }

    public static AegirException CorruptContext(string file, int line, string problem, Exception? inner = null)
    {
        problem = problem.TrimEnd('.', ' ');
        return E("CorruptContextFile", AegirErrorKind.InvalidData, file,
            line > 0 ? $"{file}, line {line}: {problem}. Fix or remove the file by hand; other contexts are not affected."
                     : $"{file}: {problem}. Fix or remove the file by hand; other contexts are not affected.", inner);
    }

    public static AegirException StoreBusy(string path, TimeSpan waited)
        => E("ContextStoreBusy", AegirErrorKind.ResourceBusy, path,
            $"The context store {path} stayed locked by another process for {waited.TotalSeconds:0} s. Try again when that process has finished.");

    public static AegirException WriteFailed(string path, Exception inner)
        => E("ContextWriteFailed", AegirErrorKind.WriteError, path,
            $"Could not write {path}: {inner.Message}. Nothing was changed; check that the folder is writable and the disk has room.", inner);

    public static AegirException ReadFailed(string path, Exception inner)
        => E("ContextReadFailed", AegirErrorKind.ReadError, path,
            $"Could not read {path}: {inner.Message}. Check the file's owner and mode (it should be 0600 and owned by you).", inner);

    public static AegirException TargetBusy(string target, string? taskId, int? pid, DateTimeOffset? since, TimeSpan waited, string? what = null)
        => E("TargetBusy", AegirErrorKind.ResourceBusy, target,
            taskId is null
                ? $"'@{target}' is busy with {(what is null ? "another task" : what + $" (process {pid}, since {since:HH:mm:ss})")}; waited {waited.TotalSeconds:0} s. Wait for it to finish (Get-AegirTask -Target {target}) and try again."
                : $"'@{target}' is busy with task {taskId} (process {pid}, since {since:HH:mm:ss}); waited {waited.TotalSeconds:0} s. Wait for it (Get-AegirTask -Id {taskId}) and try again.");

    /// <summary>An exclusive waiter kept out by shared holders (moves using the platform): names them and their tasks.</summary>
    public static AegirException TargetBusyShared(string target, IReadOnlyList<string> holders, IReadOnlyList<string> taskIds, TimeSpan waited)
        => E("TargetBusy", AegirErrorKind.ResourceBusy, target,
            $"'@{target}' is in use by {string.Join(", ", holders)}; waited {waited.TotalSeconds:0} s. Wait for {(holders.Count == 1 ? "it" : "them")} to finish ({(taskIds.Count == 0 ? $"Get-AegirTask -Target {target}" : string.Join("; ", taskIds.Select(id => $"Get-AegirTask -Id {id}")))}) and try again.");

    public static AegirException TaskNotFound(string id)
        => E("TaskNotFound", AegirErrorKind.ObjectNotFound, id, $"No task with id '{id}' exists. List recent tasks with Get-AegirTask.");

    /// <summary>A step that could not be done; <paramref name="id"/> names the kind of failure, so scripts can tell them apart.</summary>
    public static AegirException StepFailed(string id, string step, string problem, string fix)
        => E(id, AegirErrorKind.InvalidOperation, step, $"{step} failed: {problem}. {fix}");

    public static AegirException ServerNotVerified(string doing, string server, string folder)
        => StepFailed(ErrorIds.ServerNotVerified, doing, $"the server '@{server}' has not been verified yet: its config folder {folder} is not there", $"Verify it first (Invoke-AegirVerify {server}), then run the task again.");

    public static AegirException PlatformNotVerified(string doing, string platform)
        => StepFailed(ErrorIds.PlatformNotVerified, doing, $"the platform '@{platform}' has not been verified yet", $"Verify it first (Invoke-AegirVerify {platform}).");

    public static AegirException TemplateBroken(string origin, string problem)
        => E("TemplateBroken", AegirErrorKind.InvalidData, origin,
            $"The template {origin} does not render: {problem}. Fix the template, or delete the override to use the built-in one.");

    public static AegirException TemplateUntrusted(string path, string problem)
        => E("TemplateUntrusted", AegirErrorKind.InvalidData, path,
            $"The template override {path} is not used: {problem}. An override shapes config that holds the sites' secrets: make it and its folder belong to root (or the user running the module) and writable by nobody else (chown root: {path}; chmod go-w {path} {Path.GetDirectoryName(path)}), or delete it to use the built-in one.");

    public static AegirException VhostNamesForeign(string uri, IEnumerable<string> names, string server)
        => E("VhostNamesForeign", AegirErrorKind.InvalidData, uri,
            $"The vhost of {uri} as rendered would answer for {string.Join(", ", names)}, which are not its names, so nothing was written on '@{server}'. Fix the vhost template override (it must use server_names), or add the names to the site as aliases.");

    public static AegirException HostKeyNotPinned(string where, string? server, string fingerprint)
        => E("HostKeyNotPinned", AegirErrorKind.SecurityError, where,
            $"{where} offered the host key SHA256:{fingerprint}, and no key is pinned for it: nothing was sent. Check that fingerprint on the server itself (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then pin it: Invoke-AegirVerify {server ?? "<server>"} -TrustHostKey, or Set-AegirServer {server ?? "<server>"} -HostKeyFingerprint SHA256:{fingerprint}.");

    public static AegirException HostKeyChanged(string where, string? server, string pinned, string offered)
        => E("HostKeyChanged", AegirErrorKind.SecurityError, where,
            $"{where} offered the host key SHA256:{offered}, where SHA256:{pinned} is pinned: nothing was sent. A reinstalled server has a new key, and so has a machine that takes its address; check the new one on the server itself (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then pin it with Set-AegirServer {server ?? "<server>"} -HostKeyFingerprint SHA256:{offered}.");

    public static AegirException SudoRefused(string where, string user, string why, string line)
        => E("SudoRefused", AegirErrorKind.SecurityError, where,
            $"{user} on {where} may not run the module's work as root through sudo without a password ({why.Trim().TrimEnd('.')}). Add this rule there, in a file of /etc/sudoers.d (mode 0440, checked with visudo -cf <file>): {line}");

    public static AegirException NoConnection(string server, string host)
        => E(ErrorIds.ServerUnreachable, AegirErrorKind.ResourceUnavailable, server,
            $"'@{server}' ({host}) is another machine, and its record says no way to reach it. Give its SSH settings: Set-AegirServer {server} -SshUser root -SshKeyPath <private key file> (or -SshAgentSocket $env:SSH_AUTH_SOCK for a key an ssh-agent holds), then Invoke-AegirVerify {server} -TrustHostKey.");

    public static AegirException ClusterNotMachine(string server)
        => E("ClusterNotMachine", AegirErrorKind.InvalidOperation, server,
            $"'@{server}' is a cluster of web servers, not a machine: there is nothing to connect to. Its work is done on each of its members (Get-AegirServer {server}).");

    public static AegirException ClusterEmpty(string server)
        => E("ClusterMemberInvalid", AegirErrorKind.InvalidArgument, server,
            $"The cluster '@{server}' has no members. Name them: Set-AegirServer {server} -ClusterMembers web1, web2.");

    /// <summary>A member a cluster cannot have (itself a cluster, the cluster itself, a server without a web service).</summary>
    public static AegirException ClusterMemberInvalid(string cluster, string member, string problem, string fix)
        => E("ClusterMemberInvalid", AegirErrorKind.InvalidArgument, member,
            $"'@{member}' cannot be a member of the cluster '@{cluster}': {problem}. {fix}");

    /// <summary>A cluster given what only a machine has (an address, ssh settings, a database service).</summary>
    public static AegirException ClusterSettingInvalid(string cluster, string parameter)
        => E("InvalidValue", AegirErrorKind.InvalidArgument, cluster,
            $"{parameter} is not valid for the cluster '@{cluster}': a cluster is no machine of its own, its members are. Leave {parameter} out, and give it to the member servers instead.");

    public static AegirException ClusterCodebaseMissing(string platform, string root, string member)
        => E(ErrorIds.CodebaseMissing, AegirErrorKind.ObjectNotFound, member,
            $"The codebase of @{platform} is not at {root} on member '@{member}' of its cluster: every member serves the platform's sites from its own copy. Put the code there (or give New-AegirPlatform -Source to push it to every member), then verify the platform again.");

    public static AegirException SshFailed(string where, string login, string why, Exception? inner = null)
        => E(ErrorIds.ServerUnreachable, AegirErrorKind.ResourceUnavailable, where,
            $"Cannot reach {where} over SSH: {why.TrimEnd('.')}. Check that its sshd answers on that address and port and takes the key given (ssh {login} true), then try again.", inner);

    /// <summary>The sshd of a server would not carry a connection to its web server (a page check over HTTPS goes that way).</summary>
    public static AegirException SshForwardingRefused(string where, string user, string target)
        => E("SshForwardingRefused", AegirErrorKind.ResourceUnavailable, where,
            $"The sshd of {where} refused to carry a connection to {target} there (which takes connections made on that server itself): a site's page is checked over HTTPS from this machine, through the SSH connection. Let {user} forward TCP there: AllowTcpForwarding yes (or local) in its sshd_config (and, when PermitOpen is set, {target} among them), then reload sshd and try again.");

    public static AegirException NoSshKey(string server)
        => Missing("-SshKeyPath or -SshAgentSocket", $"Give the key the module logs in to '@{server}' with: a key file (Set-AegirServer {server} -SshKeyPath <file>), or the ssh-agent that holds it (Set-AegirServer {server} -SshAgentSocket $env:SSH_AUTH_SOCK).");

    public static AegirException SshKeyAndAgent(string server)
        => E("SshKeyAndAgent", AegirErrorKind.InvalidArgument, server,
            $"'@{server}' would log in both with a key file and with an ssh-agent, and a server logs in one way: give -SshKeyPath (a key file, with -SshKeyPassphrase when it has one) or -SshAgentSocket (an agent holding the key), not both. Set-AegirServer {server} with either switches to it and forgets the other.");

    public static AegirException SshAgentUnavailable(string where, string? server, string socket, string why, Exception? inner = null)
        => E("SshAgentUnavailable", AegirErrorKind.ResourceUnavailable, where,
            $"Cannot log in to {where}: the ssh-agent at {socket} {why.TrimEnd('.')}; nothing was sent. Start the agent and add the server's key (ssh-agent -a {socket}, then SSH_AUTH_SOCK={socket} ssh-add <key file>), or point the server at the agent that runs now: Set-AegirServer {server ?? "<server>"} -SshAgentSocket $env:SSH_AUTH_SOCK.", inner);

    /// <param name="cutShort">The server ended the login before every key was offered (sshd's MaxAuthTries).</param>
    public static AegirException SshAgentKeysRefused(string where, string user, string socket, IEnumerable<string> keys, bool cutShort, Exception? inner = null)
        => E("SshAgentKeyRefused", AegirErrorKind.SecurityError, where,
            $"{where} takes none of the keys the ssh-agent {socket} holds as {user}'s ({string.Join("; ", keys)}){(cutShort ? ", or closed the login before the agent's keys were all offered (sshd's MaxAuthTries): give the module an agent holding only its servers' keys, such as one started for it with ssh-agent -a <socket>" : "")}: nothing was sent. Add the server's key to the agent (SSH_AUTH_SOCK={socket} ssh-add <key file>), or put one of those keys in {user}'s ~/.ssh/authorized_keys on the server (ssh-add -L prints them); then try again.", inner);

    public static AegirException PhpSocketInvalid(string server, string socket, string? kind)
        => E("PhpSocketInvalid", AegirErrorKind.InvalidData, server,
            $"The PHP-FPM socket of '@{server}' is {socket}, {(kind is null ? "where nothing is" : $"which is a {kind}, not a socket")}: the web server would pass every PHP request there and answer 502. "
            + $"{(kind is null ? "Start PHP-FPM, or point" : "Point")} the setting at the socket PHP-FPM listens on (its pool's 'listen'): Set-AegirServer {server.Replace("server_", "")} -HttpSetting @{{ php_fpm_socket = '/run/php/php8.2-fpm.sock' }}, then verify again.");

    public static AegirException DatabaseGone(string uri, string database, string server)
        => E("SiteDatabaseGone", AegirErrorKind.ObjectNotFound, uri,
            $"The database {database} of {uri} is gone from '@{server}'. Restore it from a backup, or remove the site (Remove-AegirSite) and create it again; nothing was changed.");

    /// <summary>A site whose application keeps no database (a manifest's database: none) asked for what only a database has.</summary>
    public static AegirException SiteHasNoDatabase(string uri, string platform, string what = "reach")
        => E("SiteHasNoDatabase", AegirErrorKind.InvalidOperation, uri,
            $"{uri} has no database to {what}: the application of @{platform} keeps none (its manifest says database: none). Nothing was changed.");

    /// <summary>A site without a database on a platform whose application keeps one per site.</summary>
    public static AegirException SiteNeedsDatabase(string uri, string platform)
        => E("SiteNeedsDatabase", AegirErrorKind.InvalidOperation, uri,
            $"{uri} has no database, and the application of @{platform} keeps one per site (its manifest does not say database: none). Keep the site on a platform whose manifest says database: none, or create it again on @{platform}; nothing was changed.");

    public static AegirException SiteUserLockedOut(string uri, string user, string database)
        => E("SiteDatabaseUnreachable", AegirErrorKind.ResourceUnavailable, uri,
            $"The database user {user} of {uri} cannot get into {database} with its recorded password, even after its account and grants were made again. Check the database server's log and its authentication plugins.");

    public static AegirException SiteBroken(string uri, string problem)
        => E("SiteBroken", AegirErrorKind.InvalidOperation, uri,
            $"{uri} does not work: {problem}. See the web server's and PHP's error logs; verify the site again once the cause is fixed.");

    public static AegirException SitesBrokenAfterReload(string server, IReadOnlyList<string> problems)
        => E("SiteBroken", AegirErrorKind.InvalidOperation, server,
            $"'@{server}' reloaded, but {problems.Count} site(s) changed in this batch do not work: {string.Join("; ", problems)}. See the web server's and PHP's error logs, then verify those sites.");

    public static AegirException SiteCommandFailed(string site, string program, int exitCode, bool timedOut)
        => E("SiteCommandFailed", AegirErrorKind.InvalidOperation, site, timedOut
            ? $"{program} for '@{site}' ran out of time and was stopped. Give it longer with -TimeoutSeconds."
            : $"{program} for '@{site}' exited with {exitCode} (in $LASTEXITCODE). Its error output is above.");

    public static AegirException ManifestInvalid(string file, int line, string problem)
        => E("ManifestInvalid", AegirErrorKind.InvalidData, file,
            (line > 0 ? $"{file}, line {line}: " : $"{file}: ") + $"{problem.TrimEnd('.')}. Fix the platform's manifest (see about_Aegir, PLATFORM MANIFEST), then verify the platform again.");

    public static AegirException ConfigTestFailed(string server, string command, string output)
        => E("WebConfigTestFailed", AegirErrorKind.InvalidData, server,
            $"The web server config test of '@{server}' failed, so the previous config files were put back and nothing was reloaded: {output} (test: {command}). Fix the cause (often a template override) and run the task again.");

    public static AegirException DbUnreachable(string server, string host, int port, string problem)
        => E("DatabaseUnreachable", AegirErrorKind.ResourceUnavailable, server,
            $"Cannot reach the database of '@{server}' at {host}:{port} with its admin account: {problem}. Check that it runs, and the admin credential (Set-AegirServer -DbAdminCredential).");

    public static AegirException DbNameTaken(string server, string name, string what)
        => new("DatabaseNameTaken", AegirErrorKind.ResourceExists, $"A {what} named {name} already exists on '@{server}'; another name is chosen.", name) { NothingChanged = true };

    /// <summary>A statement of a dump that the site's own account or its sandboxed client would not run (another database, a shell, a file, an account, or no SQL at all).</summary>
    public static AegirException DumpRefused(string database, string output)
        => E("DumpRefused", AegirErrorKind.InvalidData, database,
            $"Loading the backup's database dump into {database} as the site's own account stopped at a statement that was refused: {output}. A dump may only fill its own site's database: nothing beyond that was done, and what was loaded is undone. Use a backup whose dump holds only the site's tables and data.");

    /// <summary>A file in a live site's folders that no archive may hold (a named pipe, a device): named where it is.</summary>
    public static AegirException SiteFileRefused(string server, string path, string what, string uri)
        => E("SiteFileRefused", AegirErrorKind.InvalidData, path,
            $"{path} on '@{server}' is a {what}, which a site's folders do not hold, so the archive of {uri} was not made and nothing of it was kept. Remove it there (or move it out of the site's folders), then run the task again.");

    /// <summary>A member of a backup archive that would reach beyond the site's own folders.</summary>
    public static AegirException MemberRefused(string archive, string member, string why)
        => E("BackupMemberRefused", AegirErrorKind.SecurityError, member,
            $"The member '{member}' of {archive} is refused: {why}. Nothing of the archive was kept. Remove that member from the archive (or restore from another backup).");

    public static AegirException NoSpace(string server, string folder, string what, long needed, long available)
        => E("DiskSpaceShort", AegirErrorKind.ResourceUnavailable, folder,
            $"{what} would not fit in {folder} on '@{server}': {Mb(needed)} MB are needed up to it (and 64 MB kept free), {Mb(available)} MB are available. Nothing of it was written. Free some space, or check that the archive is the one meant (its sizes come from the archive itself).");

    /// <summary>A write a full file system (or a quota) refused: the step, what refused it, and the fix.</summary>
    public static AegirException DiskFull(string step, string problem, string? folder = null)
        => E(ErrorIds.DiskFull, AegirErrorKind.ResourceUnavailable, step,
            $"{step} failed: {problem.TrimEnd('.')}. The disk is full there: free some space {(folder is null ? "(df -h shows what each file system has left)" : $"on the file system of {folder} (df -h {folder})")}, then run the task again.");

    /// <summary>Whether an error's text is a full file system's (ENOSPC) or a full quota's (EDQUOT), as strerror words them.</summary>
    public static bool IsDiskFull(string text)
        => text.Contains("No space left on device", StringComparison.Ordinal) || text.Contains("Disk quota exceeded", StringComparison.Ordinal);

    static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    public static AegirException ScriptUserMissing(string user, string server, string useradd)
        => E("ScriptUserMissing", AegirErrorKind.ObjectNotFound, user,
            $"The script user {user} of '@{server}' does not exist there, and no command for a site runs as root. Make it there ({useradd}), or name another unprivileged account with Set-AegirServer {server} -ScriptUser <name>; then verify the server.");

    public static AegirException ScriptUserPrivileged(string user, string server, string why, string useradd)
        => E("ScriptUserPrivileged", AegirErrorKind.InvalidOperation, user,
            $"The script user {user} of '@{server}' holds powers no site's command may have ({why}), so nothing was run. Make an unprivileged account ({useradd}) and name it with Set-AegirServer {server} -ScriptUser aegir (Start-AegirLocalServer does both for a local server); then verify the server.");

    public static AegirException ClientGroupTaken(string group, string client, string other)
        => new("ClientGroupTaken", AegirErrorKind.ResourceExists,
            $"UnixGroup {group} of the client '{client}' is the group of the client '{other}' already: its people would reach both clients' sites. Give '{client}' a group of its own with -UnixGroup (such as c-{client}).", group) { NothingChanged = true };

    /// <summary>PHP-FPM down where each site has its own pool: named before any reload, or every site's page fails and the vhost looks to blame.</summary>
    public static AegirException PhpFpmNotRunning(string server, string pidFile, string doing)
        => E(ErrorIds.PhpPoolFailed, AegirErrorKind.InvalidOperation, server,
            $"{doing} on '@{server}' failed: PHP-FPM is not running there (its pid file {pidFile}, the php_fpm_pid_file setting, names no running PHP-FPM), so every site's PHP fails with 502 Bad Gateway. "
            + $"Start PHP-FPM on '@{server}' (systemctl start php8.2-fpm; a local server: Start-AegirLocalServer), check it with Invoke-AegirVerify @{server}, then run the task again.");

    /// <summary>A value of a site's environment (its database password above all) that a PHP-FPM pool's env[] cannot carry.</summary>
    public static AegirException PoolValueUncarried(string uri, string name, string what)
        => E(ErrorIds.PoolValueUncarried, AegirErrorKind.InvalidData, uri,
            name == "db_passwd"
                ? $"The database password of {uri} has {what}, which a PHP-FPM pool cannot carry to the site's PHP (its env[] values end at a newline or a NUL, and may not be empty). Give the site's database user a password of printable characters, then run the task again."
                : $"The value of {name} for {uri} has {what}, which a PHP-FPM pool cannot carry to the site's PHP (its env[] values end at a newline or a NUL, and may not be empty). Change it, then run the task again.");

    /// <summary>An imported site's own database password that its pool (and its record) cannot carry: refused before the import changes anything.</summary>
    public static AegirException ImportPasswordUnfit(string uri, string user, string server, string what)
        => new(ErrorIds.PoolValueUncarried, AegirErrorKind.InvalidData,
            $"The database password in the settings of {uri} (of the user {user} on '@{server}') has {what}, which the site's PHP-FPM pool cannot carry to its PHP (a pool's env[] values end at a newline or a NUL) nor its record hold (printable characters, at most 256): nothing was imported. "
            + $"Give {user} a password of printable characters (ALTER USER, and the same in the site's settings), or drop the user so that the import makes it anew with a password of its own; then run Import-AegirSite again.", uri) { NothingChanged = true };

    /// <summary>A group of the client's group's name that is on a server already and not the module's for this client: its members would reach the client's sites.</summary>
    public static AegirException ClientGroupNotOurs(string group, string server, string client, string? otherClient)
        => new("ClientGroupNotOurs", AegirErrorKind.ResourceExists,
            $"The group {group} is on '@{server}' already, and the module did not make it for the client '{client}'"
            + (otherClient is null ? " (someone else did, or it was there before)" : $" (it made it for '{otherClient[(otherClient.IndexOf('_') + 1)..]}')")
            + $": its members would reach the client's sites, so nothing was changed. Give the client a group of its own: Set-AegirClient {client} -UnixGroup c-{client}; "
            + $"or, if {group} on '@{server}' is yours to give the client's sites, say so: Set-AegirClient {client} -UnixGroup {group} -AdoptGroup (the module then uses it and never deletes it).", group) { NothingChanged = true };

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

    public static AegirException ScriptUserNotInWebGroup(string user, string server, string group)
        => E("ScriptUserNotInWebGroup", AegirErrorKind.InvalidOperation, user,
            $"The script user {user} of '@{server}' is not in the web server's group {group}, so the sites' commands cannot manage what PHP wrote in their folders. Add it there (usermod --append --groups {group} {user}), then verify the server.");

    /// <summary>A target refused to any change while a failed task's undo that concerns it waits for its server.</summary>
    public static AegirException UndoPending(string target, string taskId, string task, IReadOnlyList<string> undos)
        => new("UndoPending", AegirErrorKind.ResourceUnavailable,
            $"'@{target}' waits for the undo of task {taskId} ({task}), which its server did not let finish: {string.Join("; ", undos)}. "
            + $"Nothing was changed. Start that server (or fix what the message names), then run Invoke-AegirVerify {target}: it finishes the undo first.", target) { NothingChanged = true };

    /// <summary>A restore onto a site that is gone: it comes back with -Platform, which the backup does not choose.</summary>
    public static AegirException RestoreOfRemovedSite(string site, string archive, string? platform)
        => E("SiteRemoved", AegirErrorKind.ObjectNotFound, site,
            $"No site named '@{site}' exists (it was removed, or never was here). Bring it back from this backup with Restore-AegirSite -Path {archive} -Platform {(platform ?? "<platform>")}"
            + (platform is null ? "" : $" (the backup says it was taken on @{platform})") + ", which deploys it as a new site with a database of its own.");

    public static AegirException TaskStopped(string type, string target)
        => E("TaskStopped", AegirErrorKind.InvalidOperation, target, $"Task {type} on '@{target}' was stopped before it finished; its log says what was undone. Run it again when it is wanted.");

    /// <summary>What an exception says, in its own words: work done in parallel says each of its failures.</summary>
    public static string Plain(Exception ex) => ex is AggregateException all
        ? string.Join("; ", all.Flatten().InnerExceptions.Select(Plain).Distinct())
        : ex.Message;

    /// <summary>Quotes a user value for a message, making control characters visible.</summary>
    public static string Show(string? value)
    {
        if (value is null) return "(nothing)";
        var sb = new System.Text.StringBuilder("'");
        foreach (var ch in value.Length > 80 ? value[..80] : value)
        {
            if (char.IsControl(ch) || char.GetUnicodeCategory(ch) == System.Globalization.UnicodeCategory.Format)
                sb.Append($"\\u{(int)ch:X4}");
            else sb.Append(ch);
        }
        sb.Append(value.Length > 80 ? "'…" : "'");
        return sb.ToString();
    }

    /// <summary>The noun of a context type's cmdlets (every type has Get-, New-, Set- and Remove-).</summary>
    static string Noun(string type) => type switch
    {
        "server" => "Server",
        "platform" => "Platform",
        "site" => "Site",
        "client" => "Client",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a context type"),
    };

    /// <summary>A certificate or key file refused before anything is written.</summary>
    public static AegirException CertificateRefused(string parameter, string path, string problem, string fix)
        => new("CertificateRefused", AegirErrorKind.InvalidArgument, $"{parameter} {Show(path)} is refused: {problem}. {fix}", path) { NothingChanged = true };

    /// <summary>An HTTPS site whose certificate the store does not hold (a lost store, a File source never given).</summary>
    public static AegirException CertificateMissing(string uri, string problem, string fix)
        => E("CertificateMissing", AegirErrorKind.ObjectNotFound, uri, $"The site {uri} is served over HTTPS, but {problem}. {fix}");

    /// <summary>An ACME directory refused or failed to issue a site's certificate; what served before keeps serving.</summary>
    public static AegirException AcmeFailed(string uri, string directory, string problem, bool challenge = true)
        => E("AcmeFailed", AegirErrorKind.ResourceUnavailable, uri,
            $"The ACME directory {directory} issued no certificate for {uri}: {problem}. The certificate it had keeps serving. " + (challenge
                ? $"Check that each of its names points at this web server and that http://<name>/.well-known/acme-challenge/ reaches it, then run Update-AegirCertificate {uri}."
                : $"Run Update-AegirCertificate {uri} to try again."));

    /// <summary>lego could not fetch the ACME directory (a wrong address, a CA that is down, a TLS certificate not trusted): nothing was asked.</summary>
    public static AegirException AcmeUnreachable(string uri, string directory, string cause)
        => E("AcmeUnreachable", AegirErrorKind.ResourceUnavailable, uri,
            $"The ACME directory {directory} cannot be reached ({cause}), so no certificate was asked for {uri}; the one it had keeps serving. Check the address (Set-AegirServer -AcmeDirectory) and, for a private CA, its root (-AcmeRootCertificate).");

    /// <summary>A site's certificate cannot come from ACME as its server is set up (no account email, names no public CA signs, another source).</summary>
    public static AegirException AcmeUnavailable(string uri, string problem, string fix)
        => E("AcmeUnavailable", AegirErrorKind.InvalidOperation, uri, $"No certificate can be asked for {uri} over ACME: {problem}. {fix}");

    /// <summary>No broker answers at the queue's address (down, another port, a firewall, TLS on one side only).</summary>
    public static AegirException BrokerUnreachable(string address, string problem, Exception? inner = null)
        => E("BrokerUnreachable", AegirErrorKind.ResourceUnavailable, address,
            $"No message broker answers at {address}: {problem}. Check that RabbitMQ runs there and listens on that port (amqps:// for its TLS port), or go back to the file queue with Set-AegirQueue -File.", inner);

    /// <summary>The broker answered but refused the queue's user, password or virtual host.</summary>
    public static AegirException BrokerRefused(string address, string problem, string fix, Exception? inner = null)
        => E("BrokerRefused", AegirErrorKind.SecurityError, address, $"The message broker at {address} refused the connection: {problem}. {fix}", inner);

    /// <summary>A live worker has the name a new worker asked for.</summary>
    public static AegirException WorkerNameTaken(string name, string id)
        => new("WorkerNameTaken", AegirErrorKind.ResourceExists,
            $"A live worker named '{name}' runs already ({id}). Give this one another -Name, or stop that one first (systemctl stop, or Ctrl+C in its session); Get-AegirWorker lists them.", name) { NothingChanged = true };

    /// <summary>No worker of that name is in the registry.</summary>
    public static AegirException WorkerNotFound(string name, bool all)
        => E("WorkerNotFound", AegirErrorKind.ObjectNotFound, name,
            all ? $"No worker named '{name}' is registered. Get-AegirWorker -All lists every worker, live or dead; Start-AegirWorker starts one."
                : $"No live worker is named '{name}'. Get-AegirWorker -All lists dead ones too; Start-AegirWorker starts one.");

    /// <summary>A drift report found differences on a target: one error per target, so -ErrorAction Stop fails a CI step.</summary>
    public static AegirException DriftFound(string target, int count, string fix)
        => E("DriftFound", AegirErrorKind.InvalidData, target,
            $"{count} difference{(count == 1 ? "" : "s")} on {target} from what its records and the module's templates say (written as AegirDrift objects). Put them right with: {fix}");

    /// <summary>A drift report could not read what it compares (a server that does not answer, a file it may not read).</summary>
    public static AegirException DriftUnread(string target, string problem, Exception inner)
        => E("DriftUnread", AegirErrorKind.ReadError, target, $"Could not tell whether {target} drifted: {problem}. Check that its servers answer (Invoke-AegirVerify {target} says why), then run the test again.", inner);

    /// <summary>An Aegir 3 alias file or a site's drushrc.php that is not the plain PHP data Aegir writes: nothing was recorded.</summary>
    public static AegirException Aegir3ContextUnread(string file, int line, string problem, string fix)
        => new("Aegir3ContextUnread", AegirErrorKind.InvalidData,
            (line > 0 ? $"{file}, line {line}: " : $"{file}: ") + $"{problem.TrimEnd('.', ' ')}. {fix} Nothing was recorded.", file) { NothingChanged = true };
}
