using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Queues.Remote;

/// <summary>The errors of tasks run by a server's own worker.</summary>
static class RemoteErrors
{
    /// <summary>No word from the server's worker within the silence allowed: none runs, or it lost the broker.</summary>
    public static AegirException WorkerSilent(string server, string taskId, TimeSpan silence)
    {
        var name = Short(server);
        return ErrorCatalog.E("WorkerSilent", AegirErrorKind.ResourceUnavailable, server,
            $"No worker on server '{name}' answered task {taskId} within {silence.TotalMinutes:0.#} minute(s). Start one there (Start-AegirWorker -Server {name}, or its systemd unit), check that it reaches the broker, then Restart-AegirTask {taskId}; or let the control machine run the server's tasks over SSH again with Set-AegirServer {name} -OwnWorker:$false.");
    }

    /// <summary>The task failed on the server: its error as the worker recorded it, under its own id.</summary>
    public static AegirException Failed(string server, string? errorId, string? error)
        => ErrorCatalog.E(errorId ?? "TaskFailed", AegirErrorKind.InvalidOperation, server, $"On server '{Short(server)}': {error ?? "the task failed, and its worker said no more"}");

    /// <summary>A worker got a task it may not run here.</summary>
    public static AegirException NotHere(string server, string problem)
        => ErrorCatalog.E("WorkerRefused", AegirErrorKind.InvalidOperation, server, $"The worker for server '{Short(server)}' does not run this task: {problem}.");

    /// <summary>A server as users name it (web1, not server_web1).</summary>
    internal static string Short(string server)
    {
        var prefix = ContextNames.Prefix(ContextType.Server);
        return server.StartsWith(prefix, StringComparison.Ordinal) ? server[prefix.Length..] : server;
    }
}
