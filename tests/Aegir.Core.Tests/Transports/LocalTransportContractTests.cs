using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

public sealed class LocalTransportContractTests : TransportContract, IDisposable
{
    readonly LocalTransport _local = new();
    readonly List<string> _made = [];

    protected override ITransport Transport => _local;

    protected override string Scratch()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aegir-contract-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        _made.Add(dir);
        return dir;
    }

    public void Dispose()
    {
        foreach (var dir in _made) _local.Delete(dir);
    }
}
