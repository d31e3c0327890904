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

    /// <summary>The private folder (mode 0700, the user's): for files that hold secrets, and the command's TMPDIR.</summary>
    public string Tmp => _folder.Path;
    public string User { get; }

    SiteShell(ITransport transport, string user, PrivateFolder folder)
    {
        _transport = transport;
        User = user;
        _folder = folder;
    }

    /// <summary>A shell for <paramref name="user"/>: checks that this connection may run as that user before making anything.</summary>
    public static SiteShell Open(ITransport transport, string user)
    {
        if (transport.User != user && transport.User != "root")
            throw ErrorCatalog.StepFailed("UserSwitchRefused", $"Running a command as {user} on {transport.Host}", $"this connection is {transport.User}, which can only switch users as root",
                $"Set the server's ScriptUser to {transport.User} (Set-AegirServer -ScriptUser), or connect as root.");
        return new SiteShell(transport, user, PrivateFolder.Create(transport, "aegir-run", user));
    }

    /// <summary>Writes a secret to a file only the user can read; its path is what a command gets instead of the secret.</summary>
    public string SecretFile(string name, string content) => _folder.Write(name, content);

    /// <summary>
    /// A manifest command's words with the site's placeholders filled in (and <paramref name="more"/>, an install's);
    /// the database password only as a file of this shell's.
    /// </summary>
    public IReadOnlyList<string> Fill(IReadOnlyList<string> words, Services.Http.SiteDatabase database, string uri, string url, string root, IReadOnlyDictionary<string, string>? more = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["uri"] = uri, ["url"] = url, ["db_type"] = database.Type, ["db_host"] = database.Host, ["db_port"] = database.Port.ToString(),
            ["db_name"] = database.Name, ["db_user"] = database.User, ["root"] = root, ["tmp"] = Tmp,
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) values[key] = value;
        if (words.Any(w => w.Contains("{db_passwd_file}", StringComparison.Ordinal))) values["db_passwd_file"] = SecretFile("db_passwd", database.Password);
        return words.Select(w => AppManifest.Fill(w, values)).ToList();
    }

    /// <summary>
    /// The command as it is run: a program relative to <paramref name="folder"/> made absolute, the environment made
    /// of PATH, LANG, TMPDIR and <paramref name="environment"/> alone, and runuser in front when the user differs.
    /// </summary>
    public CommandSpec Command(string program, IReadOnlyList<string> arguments, string folder, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, Stream? output = null)
    {
        if (program.Contains('/') && !program.StartsWith('/')) program = System.IO.Path.Combine(folder, program);
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = Path, ["LANG"] = "C.UTF-8", ["TMPDIR"] = Tmp, ["HOME"] = Tmp };
        foreach (var (key, value) in environment) env[key] = value;
        var (file, args) = _transport.User == User
            ? (program, arguments)
            : ("/usr/sbin/runuser", (IReadOnlyList<string>)["-u", User, "--", program, .. arguments]);
        return new CommandSpec(file, args) { Environment = env, InheritEnvironment = false, WorkingDirectory = folder, Timeout = timeout, OutputStream = output };
    }

    public CommandResult Run(string program, IReadOnlyList<string> arguments, string folder, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
        => _transport.Run(Command(program, arguments, folder, environment, timeout));

    public void Dispose() => _folder.Dispose();
}
