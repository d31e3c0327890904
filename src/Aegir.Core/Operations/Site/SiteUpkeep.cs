using Aegir.Core.Errors;

namespace Aegir.Core.Operations.Site;

/// <summary>The engine's upkeep for a cron or statistics task, or an error that says the engine has none.</summary>
static class SiteUpkeep
{
    public static ISiteUpkeep Of(Engine engine, string step)
        => engine.Upkeep ?? throw ErrorCatalog.StepFailed(ErrorIds.StepFailed, step, "this engine was made without the schedules' upkeep, which runs crons and statistics",
            "Run the task from the module (Invoke-AegirQueue), whose engines have it.");
}
