using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

/// <summary>The same contract over SSH, against Debian's sshd on a namespaced test server.</summary>
[Collection(nameof(TestServerHost))]
public sealed class SshTransportContractTests(TestServerHostFixture fixture) : TransportContract, IDisposable
{
    readonly SshTransport _ssh = new(fixture.Host.Settings);

    protected override ITransport Transport => _ssh;

    protected override string Scratch()
    {
        var dir = "/srv/contract-" + Guid.NewGuid().ToString("N")[..10];
        fixture.Host.Run("install", "-d", "-m", "0755", dir);
        return dir;
    }

    public void Dispose() => _ssh.Dispose();
}
