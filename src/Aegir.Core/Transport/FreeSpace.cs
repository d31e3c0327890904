using Aegir.Core.Errors;

namespace Aegir.Core.Transport;

/// <summary>
/// The space left on the file system of a folder of a server, read once, against which what is about to be written
/// is counted before it is written: a member that would not fit (with a margin for everything else) is refused.
/// </summary>
public sealed class FreeSpace
{
    /// <summary>Left free for the rest of the server: logs, sessions, the database.</summary>
    public const long Margin = 64L << 20;

    readonly string _folder;
    readonly string _server;
    long _taken;

    public long Available { get; }

    public FreeSpace(ITransport transport, string folder, string server)
    {
        _folder = folder;
        _server = server;
        var result = transport.Run(new CommandSpec("df", ["--block-size=1", "--output=avail", "--", folder]));
        var last = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        Available = result.Succeeded && long.TryParse(last, out var bytes) ? bytes
            : throw ErrorCatalog.StepFailed(ErrorIds.DiskSpaceUnknown, $"Reading the free space of {folder} on '@{server}'", result.Summary(), "Check that df runs there.");
    }

    /// <summary>Counts <paramref name="bytes"/> of <paramref name="what"/> as written; refused first when they would not fit.</summary>
    public void Take(string what, long bytes)
    {
        if (bytes < 0 || _taken + bytes + Margin > Available)
            throw ErrorCatalog.NoSpace(_server, _folder, what, _taken + bytes, Available);
        _taken += bytes;
    }
}
