namespace Aegir.Core.Tests.Transports;

/// <summary>One test server for every test class of its collection.</summary>
public sealed class TestServerHostFixture : IDisposable
{
    readonly Lazy<TestServerHost> _host = new(() => new TestServerHost());

    public TestServerHost Host => _host.Value;

    public void Dispose()
    {
        if (_host.IsValueCreated) _host.Value.Dispose();
    }
}
