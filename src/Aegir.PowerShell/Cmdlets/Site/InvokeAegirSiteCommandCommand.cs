using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Site;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>
/// Runs a program for a site: in its platform's root, as the server's script user, with the site's database in its
/// environment (db_host, db_name, db_passwd…), drush and wp pointed at the site. Writes the program's output lines;
/// its error output goes to the host (information stream); a non-zero exit is an error carrying the exit code.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AegirSiteCommand", HelpUri = HelpLinks.Docs + "Invoke-AegirSiteCommand.md", SupportsShouldProcess = true, DefaultParameterSetName = "Command")]
[OutputType(typeof(string))]
public sealed class InvokeAegirSiteCommandCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    /// <summary>The program and its arguments, after --.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Command", ValueFromRemainingArguments = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Command { get; set; }

    /// <summary>Runs the site's cron as its platform names it (drush cron, wp-cron.php, a manifest's cron command).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Cron")]
    public SwitchParameter Cron { get; set; }

    /// <summary>SQL to run in the site's database with its database's own client, as the site's account; rows come back as tab-separated lines.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Sql")]
    [ValidateNotNullOrEmpty]
    public string? Sql { get; set; }

    /// <summary>A person granted the site's client (Grant-AegirClientAccess), to run the command or cron as, instead of the script user.</summary>
    [Parameter(ParameterSetName = "Command")]
    [Parameter(ParameterSetName = "Cron")]
    [ArgumentCompleter(typeof(ClientPersonCompleter))]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary>How long the program may run before it is stopped.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 3600;

    protected override void ProcessRecord() => ForItem(Uri, () =>
    {
        var name = Core.Contexts.ContextNames.Canonical("Uri", Uri, Core.Contexts.ContextType.Site);
        var what = Cron ? "its cron" : Sql is not null ? "SQL in its database" : new Core.Transport.CommandSpec(Command![0], Command.Skip(1).ToList()).ToString();
        if (!ShouldProcess(name, $"Run {what} in its platform's root as {(User is null ? "the server's script user" : User)}")) return;
        if (Cron && Store.TryGet(name) is Core.Contexts.AegirSite { Status: Core.Contexts.SiteStatus.Disabled })
            WriteWarning($"{name} is disabled: its cron runs all the same, as asked (the queue runs no cron for a disabled site).");
        var result = Sql is not null ? SiteCommand.Sql(Engine, name, Sql, TimeSpan.FromSeconds(TimeoutSeconds))
            : SiteCommand.Run(Engine, name, Cron ? null : Command, TimeSpan.FromSeconds(TimeoutSeconds), User);
        foreach (var line in Lines(result.StandardOutput)) WriteObject(line);
        foreach (var line in Lines(result.StandardError))
            WriteInformation(new HostInformationMessage { Message = line }, ["PSHOST", "stderr"]);
        SessionState.PSVariable.Set("global:LASTEXITCODE", result.ExitCode);
        if (!result.Succeeded) throw ErrorCatalog.SiteCommandFailed(name, Cron ? "The cron" : Sql is not null ? "The SQL" : Command![0], result.ExitCode, result.TimedOut);
    });

    static IEnumerable<string> Lines(string text)
    {
        if (text.Length == 0) yield break;
        var lines = text.Split('\n');
        var count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (int i = 0; i < count; i++) yield return lines[i].TrimEnd('\r');
    }
}
