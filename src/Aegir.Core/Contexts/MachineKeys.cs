using System.Net;

namespace Aegir.Core.Contexts;

/// <summary>
/// Which machines a server's platforms live on, as comparable keys: this machine, a remote server's addresses (a name
/// and an address of one machine meet), a cluster's members'. Two server records of one machine share their keys, so
/// their platforms are held apart as one server's are.
/// </summary>
public static class MachineKeys
{
    const string Here = "this machine";

    public static IReadOnlySet<string> Of(ContextStore store, string serverName)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (store.ReadFresh(serverName) is not AegirServer server) return keys;
        var machines = server.IsCluster ? server.ClusterMembers.Select(store.ReadFresh).OfType<AegirServer>() : [server];
        foreach (var machine in machines)
        {
            if (ThisMachine.Is(machine)) { keys.Add(Here); continue; }
            keys.Add(machine.Name);
            foreach (var address in Addresses(machine.RemoteHost)) keys.Add(address);
        }
        return keys;
    }

    /// <summary>
    /// The recorded servers (no clusters) that are the machine <paramref name="server"/> is, itself first: every local
    /// server is this machine, and remote ones meet by their host's addresses. What one of them does to the machine's
    /// accounts and groups touches all of them.
    /// </summary>
    public static IReadOnlyList<AegirServer> Mates(ContextStore store, AegirServer server)
    {
        var keys = Of(store, server.Name);
        var mates = store.List(ContextType.Server).Contexts.OfType<AegirServer>()
            .Where(s => !s.IsCluster && s.Name != server.Name && Of(store, s.Name).Overlaps(keys))
            .OrderBy(s => s.Name, StringComparer.Ordinal);
        return [server, .. mates];
    }

    /// <summary>One name for a machine that every server record of it agrees on (for a lock held across them).</summary>
    public static string Name(ContextStore store, AegirServer server)
        => ThisMachine.Is(server) ? "this-machine" : Mates(store, server).Select(s => s.Name).Min(StringComparer.Ordinal)!;

    static IEnumerable<string> Addresses(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return [Normal(literal)];
        try
        {
            var lookup = Dns.GetHostAddressesAsync(host);
            return lookup.Wait(TimeSpan.FromSeconds(5)) ? lookup.Result.Select(Normal) : [host.ToLowerInvariant()];
        }
        catch (AggregateException) { return [host.ToLowerInvariant()]; }
    }

    static string Normal(IPAddress a) => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString();
}
