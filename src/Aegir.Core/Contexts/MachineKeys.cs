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
