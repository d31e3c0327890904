using System.Text;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Http;

/// <summary>
/// Changes web server config files as one step: write them, run the server's config test, and only then
/// reload. A failed test puts every file back as it was, so the server is never left with broken config
/// and no other site stops answering. The step's undo puts the files back and reloads again.
/// </summary>
internal static class WebConfigChange
{
    public const UnixFileMode ConfigMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Apply(TaskContext ctx, ITransport transport, AegirServer server, string description,
        IReadOnlyList<(string Path, string? Content)> changes, ReloadBatch? batch = null)
    {
        var before = changes.Select(c => (c.Path, Old: transport.ReadFile(c.Path))).ToList();
        ctx.Step(description, () =>
        {
            Write(transport, changes.Select(c => (c.Path, c.Content is null ? null : Encoding.UTF8.GetBytes(c.Content))));
            var test = Run(transport, server.Http.Get("config_test_command")!);
            if (!test.Succeeded)
            {
                Write(transport, before);
                ctx.Warn($"Put back the previous config of {string.Join(", ", changes.Select(c => Path.GetFileName(c.Path)))}.");
                throw ErrorCatalog.ConfigTestFailed(server.Name, server.Http.Get("config_test_command")!, test.Summary());
            }
            ReloadNowOrLater(ctx, transport, server, batch);
        },
        () =>
        {
            Write(transport, before);
            ReloadNowOrLater(ctx, transport, server, batch);
        });
    }

    static void ReloadNowOrLater(TaskContext ctx, ITransport transport, AegirServer server, ReloadBatch? batch)
    {
        if (batch is null) Reload(ctx, transport, server);
        else
        {
            batch.Add(server);
            ctx.Info($"The config passed its test; '@{server.Name}' reloads once at the end of this batch (a reload task).");
        }
    }

    /// <summary>
    /// Reloads, then waits until the reload has taken effect: nginx and Apache return from a reload at once
    /// while the old workers go on serving the old config, so the step would otherwise end before its change.
    /// </summary>
    public static void Reload(TaskContext ctx, ITransport transport, AegirServer server)
    {
        var command = server.Http.Get("restart_command")!;
        var master = MasterPid(transport, server);
        var before = master is { } m ? Children(transport, m) : [];
        var result = Run(transport, command);
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed($"Reloading the web server of '@{server.Name}'", result.Summary(), $"Check that it runs and that '{command}' works.");
        if (master is null || before.Count == 0)
        {
            ctx.Debug($"Reloaded: {command} (no pid file to wait on)");
            return;
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var now = Children(transport, master.Value);
            if (now.Count > 0 && !now.Overlaps(before)) { ctx.Debug($"Reloaded: {command}"); return; }
            Thread.Sleep(50);
        }
        ctx.Warn($"Reloaded with '{command}', but old worker processes of '@{server.Name}' were still running 30 s later; they may still serve the old config.");
    }

    static int? MasterPid(ITransport transport, AegirServer server)
    {
        var file = server.Http.Get("pid_file");
        if (file is null || transport.ReadFile(file) is not { } bytes) return null;
        return int.TryParse(Encoding.ASCII.GetString(bytes).Trim(), out var pid) ? pid : null;
    }

    static HashSet<int> Children(ITransport transport, int pid)
    {
        var result = transport.Run(new CommandSpec("ps", ["-o", "pid=", "--ppid", pid.ToString()]));
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var p) ? p : 0).Where(p => p > 0).ToHashSet();
    }

    static CommandResult Run(ITransport transport, string command) => transport.Run(CommandSpec.Parse(command) with { Timeout = TimeSpan.FromMinutes(1) });

    static void Write(ITransport transport, IEnumerable<(string Path, byte[]? Content)> files)
    {
        foreach (var (path, content) in files)
        {
            if (content is null) transport.Delete(path);
            else transport.WriteFile(path, content, ConfigMode);
        }
    }
}
