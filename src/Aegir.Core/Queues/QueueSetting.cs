using Aegir.Core.Queues.Broker;

namespace Aegir.Core.Queues;

/// <summary>Which queue the module uses, as Get-AegirQueue shows it: the file queue, or a broker (its URL, never its password).</summary>
public sealed record QueueSetting(string Kind, string? Broker, string? User, string? VirtualHost, string Source)
{
    public const string FileKind = "File";
    public const string BrokerKind = "Broker";

    /// <summary>The queue in force for <paramref name="home"/>: AEGIR_BROKER first, then the home's queue.json, else the file queue.</summary>
    public static QueueSetting Of(string home) => From(BrokerSettings.Read(home), home);

    public static QueueSetting From(BrokerSettings? broker, string home) => broker is null
        ? new QueueSetting(FileKind, null, null, null, Path.Combine(home, "tasks"))
        : new QueueSetting(BrokerKind, broker.Address.ToString(), broker.Address.User, broker.Address.VirtualHost, broker.Source);
}
