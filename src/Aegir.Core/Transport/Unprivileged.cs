namespace Aegir.Core.Transport;

/// <summary>
/// Commands that read what came from outside (a dump from an archive) run as an account that is not root: the
/// server's script user, or nobody while the server's record still names root as its script user.
/// </summary>
public static class Unprivileged
{
    public const string Fallback = "nobody";

    /// <summary>The account to run as on the server behind <paramref name="transport"/>: <paramref name="scriptUser"/> when it exists and is not root.</summary>
    public static string Account(ITransport transport, string scriptUser)
    {
        if (scriptUser != "root" && transport.UserExists(scriptUser)
            && transport.Run(new CommandSpec("id", ["-u", "--", scriptUser])) is { Succeeded: true } id && id.StandardOutput.Trim() != "0")
            return scriptUser;
        return Fallback;
    }

    /// <summary>The command run as <paramref name="user"/> (through runuser when this connection is root; as the connection's own, unprivileged, account otherwise).</summary>
    public static CommandSpec As(ITransport transport, string user, CommandSpec spec)
    {
        if (user == "root") throw new InvalidOperationException("a command that must not run as root was asked to");
        return transport.User != "root" || transport.User == user
            ? spec
            : spec with { Program = "/usr/sbin/runuser", Arguments = ["-u", user, "--", spec.Program, .. spec.Arguments], WorkingDirectory = "/" };
    }
}
