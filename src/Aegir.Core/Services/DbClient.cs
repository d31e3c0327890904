using System.Text.RegularExpressions;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Services;

/// <summary>
/// Runs a database service's client program (dump, load): its password only in its environment, never on a
/// command line or on disk, and never in what an error shows.
/// </summary>
internal static partial class DbClient
{
    /// <summary>The programs a client needs, and nothing of this process's own PATH.</summary>
    public const string Path = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>A site client's whole environment: its password, the client's PATH, and nothing of this process's.</summary>
    public static Dictionary<string, string> SiteEnvironment(string passwordVariable, string password)
        => new() { [passwordVariable] = password, ["PATH"] = Path, ["LANG"] = "C.UTF-8" };

    /// <summary>The client run as <paramref name="from"/>'s script user (never root), on that server's connection.</summary>
    public static CommandSpec AsScriptUser(ITransport transport, Contexts.AegirServer from, CommandSpec spec)
        => ScriptUser.As(transport, ScriptUser.Require(transport, from.ScriptUser, from.Name, ScriptUser.WebGroup(from)), spec);

    /// <summary>Runs the command; fails with <paramref name="fix"/> unless it succeeds.</summary>
    public static CommandResult Run(ITransport transport, CommandSpec spec, string secret, string what, string fix)
    {
        var result = transport.Run(spec);
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.DbToolFailed, what, Masked(result.Summary(), secret), fix);
        return result;
    }

    /// <summary>
    /// The result of loading a dump: a statement the database or the client refused (its line named) is the dump's
    /// fault, anything else the tool's or the server's.
    /// </summary>
    public static void Loaded(CommandResult result, string database, string secret, string what, string fix)
    {
        if (result.Succeeded) return;
        var text = Masked(result.Summary(), secret);
        if (Refusal().IsMatch(text)) throw ErrorCatalog.DumpRefused(database, text);
        throw ErrorCatalog.StepFailed(ErrorIds.DbToolFailed, what, text, fix);
    }

    /// <summary>Where a client says a line of its input failed: mariadb "at line 12", psql "psql:&lt;stdin&gt;:12:".</summary>
    [GeneratedRegex(@"(ERROR( \d+ \([0-9A-Z]+\))? at line \d+)|(psql:<stdin>:\d+: )")]
    private static partial Regex Refusal();

    /// <summary>The text without the secret, each line cut to 300 characters (a failed statement may be a long INSERT).</summary>
    public static string Masked(string text, string secret)
    {
        if (secret.Length >= 4) text = text.Replace(secret, "********", StringComparison.Ordinal);
        return string.Join('\n', text.Split('\n').Select(l => l.Length > 300 ? l[..300] + " ..." : l));
    }
}
