using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>
/// Runs an application's own commands (its installer, cron, version command, an admin's command) on the web server
/// as the server's script user, never as root: in a fresh environment holding only what it is given, with a private
/// temporary folder for secret files, deleted afterwards.
/// </summary>
public sealed class SiteShell : IDisposable
{
    const string Path = "/usr/local/bin:/usr/bin:/bin";
    readonly ITransport _transport;
    readonly PrivateFolder _folder;
    readonly UserAccount _account;

    /// <summary>The private folder (mode 0700, the user's): for files that hold secrets, and the command's TMPDIR.</summary>
    public string Tmp => _folder.Path;
    public string User => _account.Name;

    SiteShell(ITransport transport, UserAccount account, PrivateFolder folder)
    {
        _transport = transport;
        _account = account;
        _folder = folder;
    }

    /// <summary>
    /// A shell for the script user of <paramref name="server"/>: the account is looked up on the server and refused
    /// when it is missing or holds root's powers, whatever the record says, before anything is made. Inside a task
    /// (<paramref name="ctx"/>), its private folder is journaled before it is made, so a kill leaves it to the repair.
    /// </summary>
    /// <param name="user">The account to run as: a site's own; the server's script user when null.</param>
    public static SiteShell Open(ITransport transport, AegirServer server, Tasks.TaskContext? ctx = null, string? user = null)
    {
        user ??= server.ScriptUser;
        var account = ScriptUser.Require(transport, user, server.Name, ScriptUser.WebGroup(server));
        if (transport.User != user && transport.User != "root")
            throw ErrorCatalog.StepFailed(ErrorIds.UserSwitchRefused, $"Running a command as {user} on {transport.Host}", $"this connection is {transport.User}, which can only switch users as root",
                $"Set the server's ScriptUser to {transport.User} (Set-AegirServer -ScriptUser), or connect as root.");
        return Make(transport, account, server, ctx);
    }

    /// <summary>
    /// A shell for a person granted the site's client (Invoke-AegirSiteCommand -User): their own account, which the
    /// caller has checked, through the same switch as the script user's (<see cref="ScriptUser.As"/>).
    /// </summary>
    public static SiteShell OpenAs(ITransport transport, AegirServer server, UserAccount person)
    {
        if (transport.User != person.Name && transport.User != "root")
            throw ErrorCatalog.StepFailed(ErrorIds.UserSwitchRefused, $"Running a command as {person.Name} on {transport.Host}", $"this connection is {transport.User}, which can only switch users as root", "Connect to the server as root.");
        return Make(transport, person, server, null);
    }

    static SiteShell Make(ITransport transport, UserAccount account, AegirServer server, Tasks.TaskContext? ctx)
    {
        var path = PrivateFolder.NewPath("aegir-run");
        var journaled = ctx?.Temporary($"Making the private folder {path} for the command", Tasks.JournalActions.DeletePath(server.Name, path), () => transport.Delete(path));
        try { return new SiteShell(transport, account, PrivateFolder.At(transport, path, account.Name)) { _journaled = journaled }; }
        catch
        {
            journaled?.Dispose();
            throw;
        }
    }

    IDisposable? _journaled;

    /// <summary>Writes a secret to a file only the user can read; its path is what a command gets instead of the secret.</summary>
    public string SecretFile(string name, string content) => _folder.Write(name, content);

    /// <summary>
    /// A manifest command's words with the site's placeholders filled in (and <paramref name="more"/>, an install's);
    /// the database password only as a file of this shell's.
    /// </summary>
    public IReadOnlyList<string> Fill(IReadOnlyList<string> words, Services.Http.SiteDatabase? database, string uri, string url, string root, IReadOnlyDictionary<string, string>? more = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["uri"] = uri, ["url"] = url, ["root"] = root, ["tmp"] = Tmp };
        // A site without a database has no db_* (its manifest may not use them: database: none).
        if (database is not null)
        {
            (values["db_type"], values["db_host"], values["db_port"]) = (database.Type, database.Host, database.Port.ToString());
            (values["db_name"], values["db_user"]) = (database.Name, database.User);
            if (words.Any(w => w.Contains("{db_passwd_file}", StringComparison.Ordinal))) values["db_passwd_file"] = SecretFile("db_passwd", database.Password);
        }
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) values[key] = value;
        return words.Select(w => AppManifest.Fill(w, values)).ToList();
    }

    /// <summary>
    /// The command as it is run: a program relative to <paramref name="folder"/> made absolute, the environment made
    /// of PATH, LANG, TMPDIR, HOME (the private folder) and <paramref name="environment"/> alone, run as the script
    /// user (<see cref="ScriptUser.As"/>).
    /// </summary>
    public CommandSpec Command(string program, IReadOnlyList<string> arguments, string folder, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, Stream? output = null, byte[]? input = null)
    {
        if (program.Contains('/') && !program.StartsWith('/')) program = System.IO.Path.Combine(folder, program);
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = Path, ["LANG"] = "C.UTF-8", ["TMPDIR"] = Tmp, ["HOME"] = Tmp };
        foreach (var (key, value) in environment) env[key] = value;
        return ScriptUser.As(_transport, _account, new CommandSpec(program, arguments)
        {
            Environment = env, InheritEnvironment = false, WorkingDirectory = folder, Timeout = timeout, OutputStream = output, StandardInput = input,
        });
    }

    public CommandResult Run(string program, IReadOnlyList<string> arguments, string folder, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, byte[]? input = null, CancellationToken cancellation = default)
        => _transport.Run(Command(program, arguments, folder, environment, timeout, input: input) with { Cancellation = cancellation });

    public void Dispose()
    {
        _folder.Dispose();
        _journaled?.Dispose();
    }
}
