using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Site;

/// <summary>The step of verify that holds the site index (contexts/.index) to the site records, and rebuilds it, saying so, when they disagree.</summary>
internal static class SiteIndexCheck
{
    public static void Plan(OperationPlan plan, OperationEnvironment env, string target)
        => plan.Add(target, PlanAction.Check, "check the site index against the site records (rebuilt from them if they disagree)", ctx =>
        {
            if (SiteIndex.For(env.Store.ContextsPath).Verify(env.Store) is { } why) ctx.Warn(why);
            else ctx.Debug("The site index agrees with the records.");
        });
}
