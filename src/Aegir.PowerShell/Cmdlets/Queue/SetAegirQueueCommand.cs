using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Queues;
using Aegir.Core.Queues.Broker;

namespace Aegir.PowerShell.Cmdlets.Queue;

/// <summary>
/// Sets the queue queued tasks go to: a RabbitMQ broker (checked first: the URL, then that the broker answers with
/// the credential and can carry the queue; nothing is written otherwise), or back to the file queue.
/// </summary>
[Cmdlet(VerbsCommon.Set, "AegirQueue", DefaultParameterSetName = BrokerSet, HelpUri = HelpLinks.Docs + "Set-AegirQueue.md", SupportsShouldProcess = true)]
[OutputType(typeof(QueueSetting))]
public sealed class SetAegirQueueCommand : AegirCmdlet
{
    const string BrokerSet = "Broker";
    const string FileSet = "File";

    /// <summary>amqp[s]://user@host[:port]/vhost; '' goes back to the file queue.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = BrokerSet)]
    [AllowEmptyString]
    public string? Broker { get; set; }

    /// <summary>The broker user's password (the user name, if given, must be the URL's).</summary>
    [Parameter(ParameterSetName = BrokerSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Back to the file queue under $AEGIR_HOME.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FileSet)]
    public SwitchParameter File { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForItem(Broker, () =>
    {
        var home = Store.Home;
        if (File || string.IsNullOrEmpty(Broker))
        {
            if (!ShouldProcess(home, "Use the file queue")) return;
            BrokerSettings.Clear(home);
            Done(home);
            return;
        }
        var address = BrokerAddress.Parse("-Broker", Broker);
        var given = Credential?.GetNetworkCredential();
        if (given is null || string.IsNullOrEmpty(given.Password))
            throw ErrorCatalog.Missing("-Credential", $"Give the password of {address.User} on the broker: -Credential (Get-Credential {address.User}).");
        if (!string.IsNullOrEmpty(given.UserName) && given.UserName != address.User)
            throw ErrorCatalog.InvalidValue("-Credential", given.UserName, $"its user is not the URL's user '{address.User}'", $"Give the credential of {address.User}, or name its user in the URL.");
        var settings = BrokerSettings.Of(address, given.Password);
        if (!ShouldProcess(address.ToString(), "Use the message broker for the queue")) return;
        WriteVerbose($"Checking that {address} answers and can carry the queue.");
        BrokerConnection.Check(settings);
        settings.Save(home);
        Done(home);
    });

    void Done(string home)
    {
        if (Environment.GetEnvironmentVariable(BrokerSettings.UrlVariable) is { Length: > 0 } url)
            WriteWarning($"$env:{BrokerSettings.UrlVariable} is set ({url}): it overrides this setting in every session that has it.");
        if (PassThru) WriteObject(QueueSetting.Of(home));
    }
}
