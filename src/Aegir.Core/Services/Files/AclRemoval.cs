using Aegir.Core.Transport;

namespace Aegir.Core.Services.Files;

/// <summary>
/// Taking ACL entries away. setfacl recomputes a file's mask after -x unless told -n, and the recomputed mask is the
/// union of what is left: a file whose mask kept a user's rwx entry to rw- would give that user rwx. With -n each
/// file keeps the mask it had, so a removal gives nothing to anyone.
/// </summary>
public static class AclRemoval
{
    /// <summary>setfacl's words for taking <paramref name="entries"/> (as for -x) away, the mask left as it was.</summary>
    public static IReadOnlyList<string> Words(string entries) => ["-n", "-x", entries];

    /// <summary>Takes a user's entries (its own and its default ones) away under <paramref name="paths"/>, no link followed.</summary>
    public static CommandSpec User(string user, IReadOnlyList<string> paths)
        => new("setfacl", ["-R", "-P", .. Words($"u:{user},d:u:{user}"), "--", .. paths]) { Timeout = TimeSpan.FromMinutes(10) };
}
