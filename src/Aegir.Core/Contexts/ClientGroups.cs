using System.Text.RegularExpressions;
using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// The rules for a client's UNIX group: a name every system takes (the seed's UNIX group limitations: 16 characters is
/// the safe limit, as hosting_client_sanitize keeps), one client's alone, and never a group that gives powers or that
/// a service runs as: its people would get what that group holds.
/// </summary>
public static partial class ClientGroups
{
    /// <summary>The longest name every system takes (Debian's shadow was built with 16; NIS, HP-UX, older AIX less).</summary>
    public const int MaxLength = 16;

    /// <summary>
    /// Groups that hand out root or read what no client may (raw disks and memory, container daemons, sudo, every log
    /// and password hash), and the system's own groups for devices and logins: no client's people belong in one.
    /// </summary>
    static readonly string[] SystemGroups =
    [
        "root", "sudo", "wheel", "admin", "adm", "shadow", "disk", "kmem", "mem", "tty", "utmp", "docker", "lxd", "lxc", "kvm", "libvirt",
        "staff", "operator", "src", "sys", "systemd-journal", "input", "video", "audio", "dialout", "cdrom", "floppy", "tape", "plugdev",
        "netdev", "render", "sgx", "crontab", "ssl-cert", "users", "nogroup", "www-data", "aegir",
        // Daemons' groups beside a web server: traffic captured (wireshark, pcap, tcpdump), mail and its queues, printers,
        // mounts, the TPM, time, dial-up, proxies and DNS.
        "wireshark", "pcap", "tcpdump", "postfix", "postdrop", "mail", "vmail", "dovecot", "opendkim", "sasl", "lpadmin", "lp",
        "sambashare", "fuse", "tss", "chrony", "dip", "haproxy", "bind", "named", "proxy", "uucp", "news", "games", "man", "list", "irc",
        "backup", "voice", "fax", "messagebus", "polkitd", "_ssh", "avahi", "scanner", "bluetooth", "rdma", "i2c", "gpio",
    ];

    /// <summary>The group a client gets when none is given: its short name cut to <see cref="MaxLength"/>, a leading digit behind a c.</summary>
    public static string Default(string shortName)
    {
        var group = char.IsAsciiDigit(shortName[0]) ? "c" + shortName : shortName;
        return group.Length > MaxLength ? group[..MaxLength] : group;
    }

    /// <summary>Why <paramref name="group"/> may be no client's group on its own (its form, or a system or service group); null when it may.</summary>
    public static string? Problem(string group)
    {
        if (!Pattern().IsMatch(group))
            return $"a group name every system takes has at most {MaxLength} characters (the seed's limit for UNIX groups): a lowercase letter, then lowercase letters, digits, _ or -";
        if (SystemGroups.Contains(group, StringComparer.Ordinal) || group.StartsWith("systemd-", StringComparison.Ordinal))
            return "it is a system group: its members hold powers (root, devices, logs) or share what every login shares, which no client's people may";
        if (AccountNames.IsServiceName(group))
            return "it is the group a service runs as: its people would read and write that service's data";
        return null;
    }

    /// <summary>A group name as an admin gives it, refused with the fix when it may be no client's.</summary>
    public static string Check(string parameter, string value)
        => Problem(value) is { } problem ? throw ErrorCatalog.InvalidValue(parameter, value, problem, Fix) : value;

    /// <summary>The client's group, refused (with the fix) when a record written under older rules names one no client may have.</summary>
    public static string Require(AegirClient client)
        => Problem(client.UnixGroup) is { } problem
            ? throw ErrorCatalog.InvalidValue("UnixGroup", client.UnixGroup, problem, $"Give the client '{client.ShortName}' a group of its own: Set-AegirClient {client.ShortName} -UnixGroup c-{client.ShortName}.")
            : client.UnixGroup;

    /// <summary>
    /// Checks a client's group against the other records, under the store's lock: no other client has it, and no server
    /// runs its web server or its sites' commands as it.
    /// </summary>
    internal static void CheckAgainst(ContextStore store, AegirClient client)
    {
        var group = client.UnixGroup;
        if (Problem(group) is { } problem) throw ErrorCatalog.InvalidValue("UnixGroup", group, problem, Fix);
        foreach (var other in store.List(ContextType.Client).Contexts.OfType<AegirClient>())
            if (other.Name != client.Name && other.UnixGroup == group) throw ErrorCatalog.ClientGroupTaken(group, client.ShortName, other.ShortName);
        foreach (var server in store.List(ContextType.Server).Contexts.OfType<AegirServer>())
        {
            if (!server.Http.IsNull && !server.IsCluster && (server.Http.Get("web_group") ?? "www-data") == group)
                throw ErrorCatalog.InvalidValue("UnixGroup", group, $"it is the web group of '@{server.Name}', which every site's PHP runs as", Fix);
            if (server.ScriptUser == group)
                throw ErrorCatalog.InvalidValue("UnixGroup", group, $"it is the group of the script user of '@{server.Name}', which runs every site's commands", Fix);
        }
    }

    const string Fix = "Give the client a group of its own with -UnixGroup, such as c-acme (see about_Aegir, CLIENTS).";

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,15}\\z")] private static partial Regex Pattern();
}
