namespace Aegir.Core.Tests.Transports;

[CollectionDefinition(nameof(TestServerHost))]
public sealed class TestServerHostCollection : ICollectionFixture<TestServerHostFixture>;
