using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Operations;

/// <summary>
/// Every operation, found by its parameter record's type (to run one) or by a task record's type and target
/// (to run a queued or replayed task). A new capability is one new operation class listed here.
/// </summary>
public static class OperationRegistry
{
    public static readonly IReadOnlyList<IOperation> All =
    [
        new Server.VerifyServer(), new Server.ReloadServer(),
        new Platform.VerifyPlatform(), new Platform.DeletePlatform(), new Platform.LockPlatform(), new Platform.UnlockPlatform(),
        new Site.VerifySite(), new Site.InstallSite(), new Site.EnableSite(), new Site.DisableSite(), new Site.DeleteSite(),
        new Site.BackupSite(), new Site.RestoreSite(), new Site.MoveSite(), new Site.RenameSite(), new Site.CloneSite(), new Site.ImportSite(), new Site.ImportSiteArchive(), new Site.RenewCertificate(),
        new Site.RunSiteCron(), new Site.CollectSiteStatistics(),
        new Client.GrantClientAccess(), new Client.RevokeClientAccess(), new Client.ChangeClientGroup(), new Client.DeleteClient(),
    ];

    /// <summary>The task types, as Get-AegirTask -Type takes them.</summary>
    public static readonly IReadOnlyList<string> TaskTypes = All.Select(o => o.Type).Distinct().Order(StringComparer.Ordinal).ToList();

    static readonly Dictionary<Type, IOperation> ByParameters = All.ToDictionary(o => o.ParametersType);

    public static IOperation For(object parameters)
        => ByParameters.TryGetValue(parameters.GetType(), out var op) ? op
            : throw new InvalidOperationException($"No operation takes {parameters.GetType().Name}.");

    /// <summary>The operation of a task record: its type, on the kind of context its target is.</summary>
    public static IOperation For(string type, string target)
    {
        var targetType = ContextNames.TypeOf(target);
        return All.FirstOrDefault(o => o.Type == type && o.TargetType == targetType)
               ?? throw ErrorCatalog.InvalidValue("Type", type, $"no operation '{type}' works on '@{target}'",
                   $"Operations: {string.Join(", ", All.Select(o => $"{o.Type} ({ContextNames.Label(o.TargetType)})"))}.");
    }
}
