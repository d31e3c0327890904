using System.Management.Automation;
using Aegir.Core.Queues;
using Aegir.Core.Queues.Broker;

namespace Aegir.PowerShell.Cmdlets.Queue;

/// <summary>Which queue queued tasks go to: the file queue, or a broker (its URL and where the setting comes from; never its password).</summary>
[Cmdlet(VerbsCommon.Get, "AegirQueue", HelpUri = HelpLinks.Docs + "Get-AegirQueue.md")]
[OutputType(typeof(QueueSetting))]
public sealed class GetAegirQueueCommand : AegirCmdlet
{
    /// <summary>Also log in to the broker: an error says why it does not answer.</summary>
    [Parameter]
    public SwitchParameter Check { get; set; }

    protected override void ProcessRecord() => ForItem(null, () =>
    {
        var broker = BrokerSettings.Read(Store.Home);
        if (Check && broker is not null)
        {
            WriteVerbose($"Logging in to {broker.Address}.");
            BrokerConnection.Ping(broker);
        }
        WriteObject(QueueSetting.From(broker, Store.Home));
    });
}
