using System.Text;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Http;

/// <summary>
/// Whether a machine's kernel has IPv6 on, asked through its transport (the web server may be another machine): a
/// listener on [::] would fail to bind without it.
/// </summary>
public static class KernelIpv6
{
    public static bool On(ITransport transport)
        => transport.ReadFile("/proc/net/if_inet6") is not null
           && transport.ReadFile("/proc/sys/net/ipv6/conf/all/disable_ipv6") is { } disabled && Encoding.ASCII.GetString(disabled).Trim() == "0";
}
