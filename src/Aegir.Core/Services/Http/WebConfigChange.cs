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
        IReadOnlyList<(string Path, string? Content)> changes)
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
            Reload(ctx, transport, server);
        },
        () =>
        {
            Write(transport, before);
            Reload(ctx, transport, server);
        });
    }

    public static void Reload(TaskContext ctx, ITransport transport, AegirServer server)
    {
        var command = server.Http.Get("restart_command")!;
        var result = Run(transport, command);
        if (!result.Succeeded)
            throw ErrorCatalog.StepFailed($"Reloading the web server of '@{server.Name}'", result.Summary(), $"Check that it runs and that '{command}' works.");
        ctx.Debug($"Reloaded: {command}");
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
