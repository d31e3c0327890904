using System.Globalization;
using Aegir.Core.IO;

namespace Aegir.Core.Operations.Client;

/// <summary>
/// A client's group on one server as the module knows it (a group of one machine, which every server record of that
/// machine shares: <see cref="Find(string, IEnumerable{string}, string)"/>), kept in <c>$AEGIR_HOME/groups/&lt;server&gt;/&lt;group&gt;</c>
/// (0600): the client it serves, its number, and whether the module made it (<see cref="Made"/>) or was told to use
/// one that was there (Set-AegirClient -AdoptGroup). Only a group marked made for a client, still with the number it
/// was made with, is ever deleted: a group of that name that someone else made (before, or again since) never is.
/// </summary>
public sealed record ClientGroupMark(string Server, string Group, string Client, int Gid, bool Made)
{
    static string Root(string home) => Path.Combine(home, "groups");
    static string PathOf(string home, string server, string group) => Path.Combine(Root(home), server, group);

    /// <summary>
    /// The mark of a group the module made for a client and kept when the client let it go, someone else being in it:
    /// no client's (an empty name), not made, so no client takes it up again unless adopted, and it is never deleted.
    /// </summary>
    public static ClientGroupMark LetGo(string server, string group, int gid) => new(server, group, "", gid, Made: false);

    /// <summary>Whether the mark is the client's, for the group as it is now (<paramref name="gid"/>, null when it is gone).</summary>
    public bool Holds(string client, int? gid) => Client == client && Gid == gid;

    /// <summary>The mark of <paramref name="group"/> on <paramref name="server"/>, or null when the module knows nothing of it.</summary>
    public static ClientGroupMark? Find(string home, string server, string group)
    {
        var path = PathOf(home, server, group);
        if (!File.Exists(path)) return null;
        var fields = File.ReadAllLines(path).Select(l => l.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        return fields.TryGetValue("client", out var client) && fields.TryGetValue("gid", out var gid) && int.TryParse(gid, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? new ClientGroupMark(server, group, client, id, fields.GetValueOrDefault("made") == "true")
            : null;
    }

    /// <summary>
    /// The mark of <paramref name="group"/> on the machine <paramref name="servers"/> are (<see cref="Contexts.MachineKeys.Mates"/>,
    /// the server itself first): one machine has one group of that name, whichever of its server records noted it.
    /// </summary>
    public static ClientGroupMark? Find(string home, IEnumerable<string> servers, string group)
        => servers.Select(s => Find(home, s, group)).FirstOrDefault(m => m is not null);

    /// <summary>Every mark that names <paramref name="client"/>, on any server.</summary>
    public static IReadOnlyList<ClientGroupMark> Of(string home, string client) => All(home).Where(m => m.Client == client).ToList();

    /// <summary>Every mark of a group on <paramref name="server"/>, whichever client it names.</summary>
    public static IReadOnlyList<ClientGroupMark> On(string home, string server) => All(home).Where(m => m.Server == server).ToList();

    static IEnumerable<ClientGroupMark> All(string home)
    {
        var root = Root(home);
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateDirectories(root).SelectMany(dir => Directory.EnumerateFiles(dir)
                .Where(f => !Path.GetFileName(f).StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal))
                .Select(f => Find(home, Path.GetFileName(dir), Path.GetFileName(f))))
            .OfType<ClientGroupMark>().OrderBy(m => m.Server, StringComparer.Ordinal).ThenBy(m => m.Group, StringComparer.Ordinal).ToList();
    }

    public void Save(string home)
    {
        var dir = Path.Combine(Root(home), Server);
        AtomicFile.EnsurePrivateDirectory(Root(home));
        AtomicFile.EnsurePrivateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, Group), string.Create(CultureInfo.InvariantCulture, $"client={Client}\ngid={Gid}\nmade={(Made ? "true" : "false")}\n"));
    }

    /// <summary>Drops the mark; nothing when there is none (an undo journaled before its step ran).</summary>
    public static void Forget(string home, string server, string group)
    {
        var path = PathOf(home, server, group);
        if (File.Exists(path)) File.Delete(path);
    }
}
