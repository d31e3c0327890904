using Aegir.Core.Contexts;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aegir.Core.Errors;
using Aegir.Core.Services;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations;

/// <summary>
/// The engine's one door: plan an operation without changing anything, run it as a task (locks, repair of a dead
/// task, the plan's steps, recovery), queue it, run a queued one, and change context records under their target's
/// lock. Cmdlets, the queue and tests all come through here, so every caller obeys the same rules.
/// </summary>
public sealed class Engine
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <param name="backend">Where tasks are recorded, locked and queued; files and flock under the store's home when null.</param>
    public Engine(ContextStore store, ITaskObserver? observer = null, ReloadBatch? batch = null,
        IServiceFactory? services = null, ITransportFactory? transports = null, TaskBackend? backend = null)
    {
        backend ??= TaskBackend.Files();
        Store = store;
        Observer = observer;
        Batch = batch;
        Services = services ?? CatalogServices.Instance;
        Transports = transports ?? TransportFactory.Default;
        Templates = new TemplateRenderer(store.Home);
        Runner = new TaskRunner(store.Home, observer, new JournalExecutor(this), backend.Store(store.Home), backend.Locks(store.Home)) { RetryDead = backend.RetryDead };
        Queue = backend.Queue(Runner);
        Remote = backend.Remote;
    }

    /// <summary>Sends a queued task to its server's own worker when it has one (a broker's queue); null: every task runs here.</summary>
    public IServerDispatch? Remote { get; }

    public ContextStore Store { get; }
    public ITaskObserver? Observer { get; }
    /// <summary>While set, config changes defer their web server reloads to <see cref="FlushReloads"/>.</summary>
    public ReloadBatch? Batch { get; }
    public IServiceFactory Services { get; }
    public ITransportFactory Transports { get; }
    public TemplateRenderer Templates { get; }
    public TaskRunner Runner { get; }
    /// <summary>What runs the cron and statistics tasks: the schedules' code, which sits above the operations; none when null.</summary>
    public ISiteUpkeep? Upkeep { get; init; }
    /// <summary>Where queued tasks wait for Invoke-AegirQueue.</summary>
    public Tasks.ITaskQueue Queue { get; }

    /// <summary>The concrete changes an operation would make now, without making any.</summary>
    public IReadOnlyList<AegirPlanStep> Plan(object parameters)
    {
        var op = OperationRegistry.For(parameters);
        using var env = new OperationEnvironment(this) { ForDisplay = true };
        var plan = new OperationPlan(op.Type, op.TargetOf(parameters));
        op.Plan(parameters, plan, env);
        return plan.Steps.Select(s => new AegirPlanStep { Order = s.Order, Operation = s.Operation, Target = s.Target, On = s.On, Action = s.Action, Description = s.Description }).ToList();
    }

    /// <summary>Runs an operation as a task now; the task's status says how it went.</summary>
    public TaskOutcome Run(object parameters, CancellationToken cancellation = default)
    {
        var op = OperationRegistry.For(parameters);
        var target = op.TargetOf(parameters);
        IReadOnlyList<string> locks, shared;
        try
        {
            Runner.Settle(target, Message);   // what the task locks is read from its target as the repair leaves it
            locks = op.LocksOf(parameters, Store);
            shared = op.SharedLocksOf(parameters, Store);
            FinishOrphanReloads(op.WebServersOf(parameters, Store));
        }
        catch (Errors.AegirException ex)
        {
            // What the task would lock cannot be read: record the task as failed, with why.
            return new TaskOutcome(Runner.Run(Request(op, parameters, []), _ => throw ex, cancellation), null);
        }
        op.Check(parameters, Store);   // a mistake on its face: the caller's error, and no task
        OperationPlan? plan = null;
        var task = Runner.Run(Request(op, parameters, locks) with { Shared = shared }, ctx => plan = Execute(op, parameters, target, ctx), cancellation);
        return new TaskOutcome(task, task.Status is AegirTaskStatus.Succeeded or AegirTaskStatus.Warning ? plan?.Result?.Invoke() : null);
    }

    /// <summary>Records the operation as a queued task and returns it at once.</summary>
    public AegirTask Enqueue(object parameters)
    {
        var op = OperationRegistry.For(parameters);
        return Queue.Enqueue(Request(op, parameters, []));
    }

    /// <summary>Queues a task again from its record (Restart-AegirTask): the same type, target and parameters.</summary>
    public AegirTask Requeue(AegirTask task)
    {
        OperationRegistry.For(task.Type, task.Target);   // refuses a type this module does not run
        return Queue.Enqueue(new TaskRequest(task.Type, task.Target, [], (JsonObject)task.Parameters.DeepClone()));
    }

    /// <summary>
    /// Every target a queued task will hold (its own and what its operation locks), so a worker never starts two
    /// tasks that share one; just its target when its parameters no longer read (running it records why).
    /// </summary>
    public IReadOnlyList<string> TargetsOf(Tasks.QueuedTask queued)
    {
        try
        {
            if (Runner.Store.Get(queued.Id) is not { } task) return [queued.Target];
            return Resolve(task).Locks.Append(task.Target).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is Errors.AegirException or JsonException) { return [queued.Target]; }
    }

    /// <summary>Claims and runs a queued task; null when it is not queued any more (another process has it).</summary>
    public TaskOutcome? RunQueued(string id, CancellationToken cancellation = default)
    {
        var queued = Runner.Store.Get(id);
        if (queued is not { Status: AegirTaskStatus.Queued }) return null;
        (IOperation Op, object Parameters, IReadOnlyList<string> Locks) resolved;
        try { resolved = Resolve(queued); }
        catch (Exception ex) when (ex is Errors.AegirException or JsonException)
        {
            // What it would lock cannot be read (its site is gone, its record altered): it fails, saying why, and leaves the queue.
            var failed = Runner.RunQueued(id, [], _ => throw (ex as Errors.AegirException ?? Errors.ErrorCatalog.InvalidValue("Parameters", id, $"its parameters do not read: {ex.Message}", "Queue the task anew.")), cancellation);
            return failed is null ? null : new TaskOutcome(failed, null);
        }
        var (op, parameters, locks) = resolved;
        if (Remote is { } remote && remote.ServerFor(Store, queued.Target, locks) is { } server)
        {
            // Its server runs it: this worker holds its targets meanwhile, and records its log and outcome.
            var sent = Runner.RunQueued(id, locks, ctx => remote.Run(ctx.Task, server, locks, ctx, Store), cancellation);
            return sent is null ? null : new TaskOutcome(sent, null);
        }
        OperationPlan? plan = null;
        var task = Runner.RunQueued(id, locks, ctx => plan = Execute(op, parameters, queued.Target, ctx), cancellation, SharedOf(op, parameters));
        return task is null ? null : new TaskOutcome(task, task.Status is AegirTaskStatus.Succeeded or AegirTaskStatus.Warning ? plan?.Result?.Invoke() : null);
    }

    /// <summary>What a task may hold shared; none when that no longer reads (it then holds all of it exclusive).</summary>
    IReadOnlyList<string> SharedOf(IOperation op, object parameters)
    {
        try { return op.SharedLocksOf(parameters, Store); }
        catch (Errors.AegirException) { return []; }
    }

    /// <summary>A task record's operation, its parameters read back, and what it locks besides its target.</summary>
    (IOperation Op, object Parameters, IReadOnlyList<string> Locks) Resolve(AegirTask task)
    {
        var op = OperationRegistry.For(task.Type, task.Target);
        var parameters = task.Parameters.Deserialize(op.ParametersType, Json)!;
        return (op, parameters, op.LocksOf(parameters, Store));
    }

    OperationPlan Execute(IOperation op, object parameters, string target, TaskContext ctx)
    {
        using var env = new OperationEnvironment(this);
        var plan = new OperationPlan(op.Type, target);
        op.Plan(parameters, plan, env);
        ctx.Debug($"Plan: {string.Join("; ", plan.Steps.Select(s => $"{s.Order}. {s.Description}"))}.");
        int n = 0;
        foreach (var step in plan.Steps)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            if (Runner.Store.StopRequested(ctx.Task.Id))
            {
                ctx.Info("Stop-AegirTask asked this task to stop: it stops here, before its next step.");
                throw new OperationCanceledException("Stop-AegirTask asked this task to stop.");
            }
            ctx.Progress(100 * n++ / Math.Max(1, plan.Steps.Count), $"step {n} of {plan.Steps.Count}: {step.Description}");
            step.Run!(ctx);
        }
        return plan;
    }

    static TaskRequest Request(IOperation op, object parameters, IReadOnlyList<string> locks)
        => new(op.Type, op.TargetOf(parameters), locks, (JsonObject)JsonSerializer.SerializeToNode(parameters, op.ParametersType, Json)!);

    /// <summary>Reloads now, or at the end of the batch when there is one.</summary>
    internal void ReloadOrDefer(TaskContext ctx, IHttpService http)
    {
        if (Batch is null)
        {
            http.Reload(ctx);
            return;
        }
        // A reload put off to the end of the batch must not hide a web server that is not running: that fails now.
        if (http.IsRunning() == false)
            throw Errors.ErrorCatalog.StepFailed(ErrorIds.WebReloadFailed, $"Reloading {http.Type} on '@{http.Server.Name}'",
                http.Server.IsCluster ? "the web server of one of its members is not running" : $"it is not running (its pid file {http.Server.Http.Get("pid_file")} names no live process)", "Start the web server, then run the task again.");
        // Nor PHP-FPM down under a changed pool: the deferred reload would fail on it, after the batch's page checks blamed the vhost.
        http.CheckDeferredReload();
        var id = Batch.Defer(this, http.Server.Name);
        ctx.Info($"The config passed its test; '@{http.Server.Name}' reloads once at the end of this batch (a reload task).");
        ctx.Debug($"The reload is queued as task {id} until then, so it is done even if this process ends first.");
    }

    /// <summary>
    /// Runs, once each, the reloads the batch deferred. A site the batch made that does not answer after its server's
    /// reload is removed again, as a failed install outside a batch is undone; that removal's own reload is one more round.
    /// Then the sites that wait for a first certificate from their CA ask for it, and their reloads are the last round.
    /// </summary>
    public IReadOnlyList<AegirTask> FlushReloads()
    {
        if (Batch is null) return [];
        var tasks = new List<AegirTask>();
        do
        {
            while (Batch.Take() is { Count: > 0 } pending)
                foreach (var (id, created) in pending)
                {
                    // The queued record names the sites to check already (ReloadBatch.Record), so a replay checks them too.
                    if (RunQueued(id) is not { } outcome) continue;
                    tasks.Add(outcome.Task);
                    if (outcome.Task.Status == AegirTaskStatus.Failed) tasks.AddRange(RemoveBroken(created));
                }
            // New sites served now ask their CA for their first certificates; those tasks' reloads are one more round.
            foreach (var site in Batch.TakeIssues())
                if (Store.TryGet(site) is AegirSite) tasks.Add(Run(new Site.RenewCertificate.Parameters(site, Initial: true)).Task);
        } while (Batch.Pending > 0);
        return tasks;
    }

    /// <summary>Removes each new site that does not answer (its database, folders, vhost and record), saying why.</summary>
    List<AegirTask> RemoveBroken(IReadOnlyList<string> created)
    {
        var removals = new List<AegirTask>();
        foreach (var name in created)
        {
            if (Store.TryGet(name) is not AegirSite site) continue;
            string? problem;
            using (var env = new OperationEnvironment(this))
            {
                try { problem = Site.SiteSteps.Judge(Site.SiteParts.Resolve(site, env)); }
                catch (Exception ex) when (ex is IOException or Errors.AegirException) { problem = ex.Message; }
            }
            if (problem is null) continue;
            Message(TaskLogLevel.Warning, $"{site.Uri} was made in this batch but does not work once its web server reloaded ({problem}): it is removed again, with its database, folders and vhost, so a failed new site leaves nothing behind.");
            removals.Add(Run(new Site.DeleteSite.Parameters(name, Backup: false)).Task);
        }
        return removals;
    }

    /// <summary>
    /// Before anything changes a server's config: a task that died holding the server (a reload cut off), or holding
    /// a site after changing the server, is repaired, undos left waiting on it are tried again, and a reload that a batch left queued when its process died is run.
    /// </summary>
    void FinishOrphanReloads(IReadOnlyList<string> servers)
    {
        foreach (var server in servers)
        {
            Runner.Settle(server, Message);
            Runner.SettleTouching(server, Message);
            foreach (var id in Runner.Store.Queued((type, target) => type == "reload" && target == server))
                if (Runner.Store.Get(id) is { Status: AegirTaskStatus.Queued } queued && !ProcessIdentity.IsAlive(queued.ProcessId, queued.ProcessStart))
                {
                    // The pipeline died before it wrote out what it installed: nobody was shown those sites' admin passwords.
                    if (queued.Parameters["sites"] is JsonArray { Count: > 0 } sites)
                        Message(TaskLogLevel.Warning, $"A pipeline on '@{server}' ended before its reload; it is run now for {string.Join(", ", sites)}. "
                            + "Those it installed were never written out, so their admin passwords were shown to nobody: set one (Invoke-AegirSiteCommand <uri> -- wp user update admin --user_pass=..., or -- drush user:password admin ...).");
                    RunQueued(id);
                }
        }
    }

    /// <summary>
    /// Before a cmdlet decides on these contexts (does one exist? what does it say?): repairs a task that died holding
    /// one and tries again undos left waiting on it, so the decision is the one its task will find.
    /// </summary>
    public void Settle(IEnumerable<string> names)
    {
        foreach (var name in names) Runner.Settle(name, Message);
    }

    // --- context records ---

    /// <summary>Changes a context record on a fresh read under its target's lock (after repairing a task that died holding it).</summary>
    public ContextEdit<T> Edit<T>(string name, string parameter, Action<T> change) where T : AegirContext
    {
        using var hold = Runner.Hold([name], $"a change of the record of '@{name}'", Message);
        return Store.Modify(name, parameter, change);
    }

    /// <summary>Records a new context under its name's lock.</summary>
    public void Create(AegirContext context)
    {
        using var hold = Runner.Hold([context.Name], $"the creation of '@{context.Name}'", Message);
        Store.Create(context);
    }

    /// <summary>Removes a context record under its lock; refused while another context names it.</summary>
    public void Remove(string name)
    {
        using var hold = Runner.Hold([name], $"the removal of '@{name}'", Message);
        Store.Remove(name);
    }

    void Message(TaskLogLevel level, string message) => Observer?.OnMessage(level, message);
}
