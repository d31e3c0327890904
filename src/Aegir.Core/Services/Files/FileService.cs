using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Tasks;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Files;

/// <summary>
/// Owners and modes from Aegir's permission table: the codebase is not writable by the web server,
/// uploads and private folders belong to the web group with setgid (chgrp before chmod, since chgrp
/// clears setgid), settings files are 0440 owner:web group.
/// </summary>
public sealed class FileService(ITransport transport)
{
    public void EnsureDirectory(string path, UnixFileMode mode, string owner, string group)
    {
        if (!transport.DirectoryExists(path)) transport.CreateDirectory(path, Modes.Dir755);
        Run("chown", $"{owner}:{group}", path);
        Run("chmod", Modes.Octal(mode), path);
    }

    public void WriteFile(string path, string content, UnixFileMode mode, string owner, string group)
        => transport.WriteFile(path, System.Text.Encoding.UTF8.GetBytes(content), mode, owner, group);

    /// <summary>Takes group and other write away from the codebase, leaving the web server's own folders alone.</summary>
    public void ProtectCodebase(TaskContext ctx, string root, IReadOnlyList<string> writable)
    {
        var args = new List<string> { root };
        if (writable.Count > 0)
        {
            args.Add("(");
            for (int i = 0; i < writable.Count; i++)
            {
                if (i > 0) args.Add("-o");
                args.AddRange(["-path", Path.Combine(root, writable[i])]);
            }
            args.AddRange([")", "-prune", "-o"]);
        }
        args.AddRange(["!", "-type", "l", "-perm", "/022", "-exec", "chmod", "go-w", "{}", "+"]);
        var result = transport.Run(new CommandSpec("find", args) { Timeout = TimeSpan.FromMinutes(10) });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed($"Protecting the codebase at {root}", result.Summary(), "Check the owner of the files.");
    }

    void Run(string program, params string[] args)
    {
        var result = transport.Run(new CommandSpec(program, args));
        if (!result.Succeeded) throw ErrorCatalog.StepFailed($"{program} {string.Join(' ', args)}", result.Summary(), "Check that the user and group exist and that Aegir may change the file.");
    }
}
