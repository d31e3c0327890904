using Aegir.Core.Contexts;
using Aegir.Core.Services.Files;
using Aegir.Core.Tasks;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>Everything a platform kind needs to prepare a platform.</summary>
public class PlatformJob
{
    /// <summary>The task the job's writes are steps of; a job made without one (a drift report's) only renders, and any write through it fails.</summary>
    public TaskContext Ctx
    {
        get => _ctx ?? throw new InvalidOperationException("This job only renders (a drift report): it has no task to write in.");
        init => _ctx = value;
    }
    TaskContext? _ctx;
    public required AegirPlatform Platform { get; init; }
    /// <summary>The platform's web server, and the task's connection to it.</summary>
    public required AegirServer Server { get; init; }
    public required ITransport Transport { get; init; }
    public required TemplateRenderer Templates { get; init; }
    /// <summary>Owner of the files (the server's script user) and the web server's group.</summary>
    public required string Owner { get; init; }
    public required string WebGroup { get; init; }

    public string Root => Platform.Root;

    /// <summary>
    /// The mode of a file every site of the platform reads (WordPress's one wp-config.php): the web group's alone
    /// while PHP runs as the web server; readable to all where each site's PHP runs as its own account (it holds no
    /// secret: each site's come from its own pool).
    /// </summary>
    public UnixFileMode SharedFileMode => Services.Php.PhpPools.PerSite(Server, Transport) ? Modes.File0440 | UnixFileMode.OtherRead : Modes.File0440;
    public string Full(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>
    /// Writes a file owner:web group as one journaled step: what was there before is kept as task data, and the
    /// undo puts it back (or deletes the file when there was none). <paramref name="render"/> sees the old content.
    /// </summary>
    public void WriteFile(string description, string relative, UnixFileMode mode, Func<byte[]?, string> render)
    {
        var path = Full(relative);
        var old = Transport.ReadFile(path);
        // The undo puts back the file as it was: its bytes, and its own mode and owners (a file made by hand has others).
        var snapshot = old is not null && Transport.OwnerOf(path) is { } was ? new FileSnapshot(old, Transport.GetMode(path), was.User, was.Group) : new FileSnapshot(old, mode, Owner, WebGroup);
        var data = Ctx.SaveData(snapshot.ToBytes());
        Ctx.Step(description, () => new FileService(Transport).WriteFile(path, render(old), mode, Owner, WebGroup),
            JournalActions.RestoreFile(Server.Name, path, data));
    }
}
