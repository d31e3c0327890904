using System.Net.NetworkInformation;
using Aegir.Core.Contexts;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

public class ThisMachineTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.1.1")]
    [InlineData("::1")]
    public void Loopback_names_and_addresses_are_this_machine(string host) => Assert.True(ThisMachine.IsAddress(host));

    [Fact]
    public void This_machines_own_name_and_interface_addresses_are_this_machine()
    {
        Assert.True(ThisMachine.IsAddress(System.Net.Dns.GetHostName()));
        var own = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .First(a => !System.Net.IPAddress.IsLoopback(a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.True(ThisMachine.IsAddress(own.ToString()));
    }

    [Theory]
    [InlineData("192.0.2.7")]          // an address of no machine here
    [InlineData("no-such-host.invalid")]
    [InlineData("2001:db8::7")]
    public void Another_address_or_a_name_that_leads_nowhere_is_another_machine(string host) => Assert.False(ThisMachine.IsAddress(host));

    [Fact]
    public void Master_is_this_machine_and_a_server_elsewhere_is_not_whatever_it_is_called()
    {
        Assert.True(ThisMachine.Is(new AegirServer(ContextNames.Master)));
        Assert.False(ThisMachine.Is(new AegirServer("server_localhostish") { RemoteHost = "192.0.2.8" }));
        Assert.True(ThisMachine.Is(new AegirServer("server_web1") { RemoteHost = "127.0.0.1" }));
    }
}
