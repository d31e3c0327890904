using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Platform;

/// <summary>Locks or unlocks a platform: a locked platform takes no new sites (its sites keep running).</summary>
public abstract class PlatformLockOperation<TParameters>(bool locked) : Operation<TParameters> where TParameters : class, IPlatformParameters
{
    public override ContextType TargetType => ContextType.Platform;
    public override string TargetOf(TParameters p) => p.Platform;

    public override void Plan(TParameters p, OperationPlan plan, OperationEnvironment env)
    {
        var platform = env.Store.GetFresh<AegirPlatform>(p.Platform, "Name");
        if (platform.Locked == locked)
        {
            plan.Add(platform.Name, PlanAction.Check, $"@{platform.Name} is {(locked ? "locked" : "unlocked")} already",
                ctx => ctx.Info($"'@{platform.Name}' is {(locked ? "locked" : "unlocked")} already."));
            return;
        }
        Site.SiteSteps.Record<AegirPlatform>(plan, env, platform.Name, $"record @{platform.Name} as {(locked ? "locked: no new sites" : "unlocked")}",
            locked ? "Locking the platform: no new sites" : "Unlocking the platform", pl => pl.Locked = locked);
    }
}

