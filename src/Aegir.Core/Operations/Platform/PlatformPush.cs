using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Files;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Platform;

/// <summary>
/// A platform kept on the control machine, pushed to its web server with rsync over the server's ssh settings:
/// first compared (what differs on the server from what was pushed is reported, then put back), then pushed,
/// leaving every site's own folders alone. A root the push made is removed again when the task fails.
/// </summary>
internal static class PlatformPush
{
    static readonly TimeSpan Timeout = TimeSpan.FromHours(2);

    public static void Plan(OperationPlan plan, OperationEnvironment env, AegirPlatform platform, AegirServer server, IPlatformKind kind)
    {
        var (source, root) = (platform.Source!, platform.Root);
        var filters = PushFilters.For(kind);
        plan.Add(server.Name, PlanAction.Write, $"push {source} to {root} on @{server.Name} with rsync (archive, delete; the sites' own folders left alone)", ctx =>
        {
            var transport = env.Connect(server);
            var ssh = (transport as SharedTransport)?.Inner as SshTransport
                ?? throw ErrorCatalog.NoConnection(server.Name, server.RemoteHost);
            var created = new FileService(transport).FirstMissing(root);
            if (created is null)
            {
                var differ = ctx.Step($"Comparing the code of @{platform.Name} on '@{server.Name}' with {source}", () =>
                {
                    var changes = RsyncPush.Changes(Must(RsyncPush.Run(ssh, source, root, filters, dryRun: true, Timeout), server, source, root));
                    if (changes.Count == 0) ctx.Info($"The code on '@{server.Name}' is as it was pushed: nothing to push.");
                    else ctx.Warn($"{changes.Count} path(s) of @{platform.Name} on '@{server.Name}' differ from {source}, and are put back as the source has them: "
                        + string.Join(", ", changes.Take(10)) + (changes.Count > 10 ? ", ..." : "") + ".");
                    return changes.Count > 0;
                });
                if (!differ) return;
            }
            ctx.Step($"Pushing {source} to {root} on '@{server.Name}'", () =>
            {
                if (RsyncPush.UnsafeLinks(source) is { Count: > 0 } unsafeLinks)
                    ctx.Warn($"{unsafeLinks.Count} link(s) in {source} lead out of it and are not pushed (they would lead elsewhere on '@{server.Name}'): "
                        + string.Join(", ", unsafeLinks.Take(10)) + (unsafeLinks.Count > 10 ? ", ..." : "") + ".");
                var changes = RsyncPush.Changes(Must(RsyncPush.Run(ssh, source, root, filters, dryRun: false, Timeout), server, source, root));
                ctx.Info($"Pushed {source} to '@{server.Name}': {changes.Count} path(s) changed.");
            }, created is null ? null : Tasks.JournalActions.DeletePath(server.Name, created));
        });
    }

    static CommandResult Must(CommandResult result, AegirServer server, string source, string root)
        => result.Succeeded ? result
        : ErrorCatalog.IsDiskFull(result.StandardError) ? throw ErrorCatalog.DiskFull($"Pushing {source} to {root} on '@{server.Name}'", $"rsync failed: {result.Summary()}", Path.GetDirectoryName(root))
        : Lost(result) ? throw ErrorCatalog.StepFailed(ErrorIds.ServerUnreachable, $"Pushing {source} to {root} on '@{server.Name}'", $"the connection was lost: {result.Summary()}",
            $"Check that the sshd of '@{server.Name}' answers (Invoke-AegirVerify {server.Name}), then run the task again.")
        : throw ErrorCatalog.StepFailed(ErrorIds.StepFailed, $"Pushing {source} to {root} on '@{server.Name}'", $"rsync failed: {result.Summary()}",
            $"Check that rsync is installed on '@{server.Name}' and that its ssh settings log in (Invoke-AegirVerify {server.Name}), then verify the platform again.");

    /// <summary>rsync's exit for a connection lost: 255 (ssh's), 10 (socket), 12 (the stream cut off, not a missing rsync there), 30 (nothing moved for the idle timeout).</summary>
    static bool Lost(CommandResult result)
        => result.ExitCode is 255 or 10 or 30 || (result.ExitCode == 12 && !result.StandardError.Contains("not found", StringComparison.Ordinal));
}
