using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using Aegir.Core.Contexts;

namespace Aegir.Core.Contexts;

/// <summary>
/// The one place that decides whether a server is this machine: the master server, or a server whose address is one
/// of this machine's own (a loopback address, or an address of one of its network interfaces, as its host name
/// resolves). Anything else is another machine, reached over SSH, even when its name looks like this one's: getting
/// this wrong made Aegir rsync a platform onto itself.
/// </summary>
public static class ThisMachine
{
    static readonly ConcurrentDictionary<string, bool> Known = new(StringComparer.OrdinalIgnoreCase);

    /// <remarks>A cluster is no machine at all: its members are each this machine or another.</remarks>
    public static bool Is(AegirServer server) => !server.IsCluster && (server.Name == ContextNames.Master || IsAddress(server.RemoteHost));

    /// <summary>Whether a host name or address leads to this machine (resolved once per process).</summary>
    public static bool IsAddress(string host)
    {
        if (Known.TryGetValue(host, out var known)) return known;
        // A lookup that did not finish in time decides nothing for later: it is asked again next time.
        if (Decide(host) is not { } decided) return false;
        return Known.GetOrAdd(host, decided);
    }

    static bool? Decide(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) addresses = [literal];
        else
        {
            try
            {
                // A name that does not resolve within a few seconds is no name of this machine's.
                var lookup = Dns.GetHostAddressesAsync(host);
                if (!lookup.Wait(TimeSpan.FromSeconds(5))) return null;
                addresses = lookup.Result;
            }
            catch (AggregateException) { addresses = []; }
        }
        var own = Own();
        return addresses.Length > 0 && addresses.All(a => IPAddress.IsLoopback(a) || own.Contains(Normal(a)));
    }

    static HashSet<IPAddress> Own()
    {
        var own = new HashSet<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                own.Add(Normal(unicast.Address));
        return own;
    }

    static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
