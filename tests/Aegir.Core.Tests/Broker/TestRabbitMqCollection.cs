namespace Aegir.Core.Tests.Broker;

/// <summary>One private broker for every broker test class; they run one after another (one restarts the node).</summary>
[CollectionDefinition(nameof(TestRabbitMq))]
public sealed class TestRabbitMqCollection : ICollectionFixture<TestRabbitMq>;
