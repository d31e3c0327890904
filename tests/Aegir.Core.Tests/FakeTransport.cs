using System.Text;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>
/// A server in memory: files, folders and symlinks with modes and owners, and commands answered by a handler.
/// For the services' and operations' logic without a server; <see cref="Snapshot"/> tells whether anything changed.
/// </summary>
public sealed class FakeTransport(Func<CommandSpec, CommandResult>? handler = null) : ITransport
{
    public sealed record Node(PathKind Kind, byte[]? Content = null, UnixFileMode Mode = 0, string? Owner = null, string? Group = null, string? Target = null);

    public readonly SortedDictionary<string, Node> Nodes = new(StringComparer.Ordinal);
    public readonly List<string> Commands = [];
    /// <summary>The commands run, as they were given (their input too).</summary>
    public readonly List<CommandSpec> Runs = [];
    /// <summary>The server's accounts as <c>id</c> tells them: aegir is the script user, in the web group.</summary>
    public readonly Dictionary<string, string> Accounts = new(StringComparer.Ordinal)
    {
        ["root"] = "uid=0(root) gid=0(root) groups=0(root)",
        ["aegir"] = "uid=998(aegir) gid=998(aegir) groups=998(aegir),33(www-data)",
        ["www-data"] = "uid=33(www-data) gid=33(www-data) groups=33(www-data)",
    };
    public readonly HashSet<string> Groups = ["root", "aegir", "www-data"];
    /// <summary>The comment (GECOS) useradd gave an account, as getent passwd tells it.</summary>
    public readonly Dictionary<string, string> Comments = new(StringComparer.Ordinal);
    Func<CommandSpec, CommandResult> _handler = handler ?? (_ => Ok);

    public string Host => "fake";
    public string User => "root";

    public Func<CommandSpec, CommandResult> Handler { set => _handler = value; }

    /// <summary>The process using the server was killed: it changes nothing more, not even in its finally blocks (see <see cref="FakeHosting.Kill"/>).</summary>
    public bool Killed;

    void Alive()
    {
        if (Killed) throw new Tasks.SimulatedCrash();
    }

    public CommandResult Run(CommandSpec spec)
    {
        Alive();
        lock (Commands)
        {
            Commands.Add(spec.ToString());
            Runs.Add(spec);
        }
        if (spec.Program == "id")
            return Accounts.TryGetValue(spec.Arguments[^1], out var line) ? new CommandResult(0, line + "\n", "", TimeSpan.Zero) : new CommandResult(1, "", $"id: '{spec.Arguments[^1]}': no such user", TimeSpan.Zero);
        return _handler(spec);
    }

    /// <summary>The command a site's shell runs, without the setpriv that drops it to the script user, the setsid that gives it a session of its own and the shell that sets its umask.</summary>
    public static CommandSpec Unwrapped(CommandSpec spec)
    {
        if (spec.Program == ScriptUser.Unshare)
            spec = spec with { Program = spec.Arguments.SkipWhile(a => a != "--").ElementAt(1), Arguments = spec.Arguments.SkipWhile(a => a != "--").Skip(2).ToList() };
        if (spec.Program == "/usr/bin/setpriv")
            spec = spec with { Program = spec.Arguments.SkipWhile(a => a != "--").ElementAt(1), Arguments = spec.Arguments.SkipWhile(a => a != "--").Skip(2).ToList() };
        if (spec.Program == "/usr/bin/setsid") spec = spec with { Program = spec.Arguments[0], Arguments = spec.Arguments.Skip(1).ToList() };
        return spec is { Program: "/bin/sh", Arguments: ["-c", ScriptUser.UmaskScript, ..] } ? spec with { Program = spec.Arguments[2], Arguments = spec.Arguments.Skip(3).ToList() } : spec;
    }

    public void Put(string path, string text) => WriteFile(path, Encoding.UTF8.GetBytes(text), (UnixFileMode)Convert.ToInt32("644", 8));
    public void Link(string path, string target) { MakeParents(path); Nodes[path] = new Node(PathKind.Symlink, Target: target); }
    public string Text(string path) => Encoding.UTF8.GetString(Nodes[path].Content!);

    public void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null)
    {
        Alive();
        if (Kind(path) is PathKind.Symlink or PathKind.Directory) throw new IOException($"{path} is not a file");
        MakeParents(path);
        Nodes[path] = new Node(PathKind.File, content, mode, owner ?? "root", group ?? "root");
    }

    public byte[]? ReadFile(string path) => Resolve(path) is { Kind: PathKind.File } n ? n.Content : null;
    public PathKind Kind(string path) => Nodes.TryGetValue(path, out var n) ? n.Kind : PathKind.None;

    Node? Resolve(string path)
    {
        for (int i = 0; i < 8 && Nodes.TryGetValue(path, out var n); i++)
        {
            if (n.Kind != PathKind.Symlink) return n;
            path = n.Target!;
        }
        return null;
    }

    public IReadOnlyList<string> List(string path)
        => Nodes.Keys.Where(k => Path.GetDirectoryName(k) == path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    public IEnumerable<string> FindFiles(string root, string pattern, int maxDepth)
    {
        var regex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
        return Nodes.Where(kv => kv.Value.Kind == PathKind.File && kv.Key.StartsWith(root + "/", StringComparison.Ordinal)
                                 && kv.Key[(root.Length + 1)..].Count(c => c == '/') <= maxDepth && regex.IsMatch(Path.GetFileName(kv.Key)))
            .Select(kv => kv.Key).ToList();
    }

    public void CreateDirectory(string path, UnixFileMode mode)
    {
        Alive();
        switch (Kind(path))
        {
            case PathKind.Directory: return;
            case PathKind.None:
                MakeParents(path);
                Nodes[path] = new Node(PathKind.Directory, Mode: mode, Owner: "root", Group: "root");
                return;
            default: throw new IOException($"{path} is not a folder");
        }
    }

    void MakeParents(string path)
    {
        var parent = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(parent) || parent == "/" || Kind(parent) != PathKind.None) return;
        MakeParents(parent);
        Nodes[parent] = new Node(PathKind.Directory, Mode: (UnixFileMode)Convert.ToInt32("755", 8), Owner: "root", Group: "root");
    }

    /// <summary>As the real one: no symlink or file on the way, or in the folder's place.</summary>
    public bool EnsureDirectory(string root, string relative, UnixFileMode mode, string? owner, string? group)
    {
        Alive();
        var path = Path.Combine(root, relative);
        var at = root;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            at += "/" + part;
            switch (Kind(at))
            {
                case PathKind.Symlink: throw new IO.SafePath.BlockedException(path, at, link: true);
                case PathKind.File or PathKind.Other: throw new IO.SafePath.BlockedException(path, at, link: false);
            }
        }
        bool made = Kind(path) == PathKind.None;
        CreateDirectory(path, mode);
        SetOwner(path, owner, group);
        SetMode(path, mode);
        return made;
    }

    public void SetOwner(string path, string? owner, string? group)
    {
        Alive();
        var n = Nodes.TryGetValue(path, out var x) ? x : throw new IOException($"{path} does not exist");
        Nodes[path] = n with { Owner = owner ?? n.Owner, Group = group ?? n.Group };
    }

    public void SetMode(string path, UnixFileMode mode)
    {
        Alive();
        var n = Nodes.TryGetValue(path, out var x) ? x : throw new IOException($"{path} does not exist");
        if (n.Kind == PathKind.Symlink) throw new IOException($"chmod {path}: it is a symlink, and links are never followed");
        Nodes[path] = n with { Mode = mode };
    }

    public UnixFileMode GetMode(string path) => Nodes[path].Mode;

    public void Delete(string path)
    {
        Alive();
        foreach (var key in Nodes.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList()) Nodes.Remove(key);
    }

    public void Move(string from, string to)
    {
        Alive();
        if (Kind(to) != PathKind.None) throw new IOException($"{to} exists");
        foreach (var key in Nodes.Keys.Where(k => k == from || k.StartsWith(from + "/", StringComparison.Ordinal)).ToList())
        {
            Nodes[to + key[from.Length..]] = Nodes[key];
            Nodes.Remove(key);
        }
    }

    public bool UserExists(string name) => Accounts.ContainsKey(name);
    public bool GroupExists(string name) => Groups.Contains(name);
    public string PrimaryGroup(string user) => user;
    public (string User, string Group)? OwnerOf(string path) => Nodes.TryGetValue(path, out var n) ? (n.Owner ?? "root", n.Group ?? "root") : null;

    /// <summary>Set to make the fake web server answer so for a host, whatever its vhost says.</summary>
    public readonly Dictionary<string, HttpAnswer> Pages = new(StringComparer.Ordinal);

    /// <summary>As the vhosts written here say: 503 for a disabled site, 200 for an enabled one, 404 for a host no vhost names.</summary>
    /// <summary>How many more requests for a host go unanswered (the connection closes), as a web server in a graceful reload may leave them.</summary>
    public readonly Dictionary<string, int> Unanswered = new(StringComparer.Ordinal);

    /// <summary>An admin's server-level rules for a host (a redirect to https): they answer every path, before the vhost's own pages.</summary>
    public readonly Dictionary<string, Func<string, HttpAnswer>> Rewrites = new(StringComparer.Ordinal);

    /// <summary>Set to make the fake web server load no vhost: every host gets this default page.</summary>
    public Func<HttpAnswer>? LoadsNoVhost;
    /// <summary>Set to make hosts no vhost names get this page, not 404 (a distribution's default server); it may throw IOException (nginx's 444).</summary>
    public Func<HttpAnswer>? DefaultPage;

    /// <summary>The vhost written here that names the host, if any.</summary>
    string? VhostFor(string host) => Nodes.Where(kv => kv.Key.Contains("/vhost.d/") && kv.Value.Content is { } c
                                                       && System.Text.RegularExpressions.Regex.IsMatch(Encoding.UTF8.GetString(c), $@"server_name[^;]*\s{System.Text.RegularExpressions.Regex.Escape(host)}[\s;]"))
        .Select(kv => Encoding.UTF8.GetString(kv.Value.Content!)).FirstOrDefault();

    public HttpAnswer Fetch(string address, int port, string host, string path, string? tlsThumbprint = null)
    {
        lock (Unanswered)
            if (Unanswered.TryGetValue(host, out var left) && left > 0)
            {
                Unanswered[host] = left - 1;
                throw new IOException($"no answer from {address}:{port} for {host}: the connection was closed");
            }
        if (LoadsNoVhost is { } welcome) return welcome();
        var vhost = VhostFor(host);
        if (vhost is not null && Rewrites.TryGetValue(host, out var rewrite)) return rewrite(path);
        // The web server answers this page from the vhost itself, whatever the application says.
        if (path == Platforms.PageCheck.VhostPage && vhost is not null
            && System.Text.RegularExpressions.Regex.Match(vhost, @"aegir-site \{[^""]*""([^""\\]+)") is { Success: true } marker)
            return new HttpAnswer(200, null, marker.Groups[1].Value + "\n");
        if (Pages.TryGetValue(host, out var answer)) return answer;
        if (vhost is null && DefaultPage is { } fallback) return fallback();
        return vhost is null ? new HttpAnswer(404, null, "not found")
            : vhost.Contains("Site disabled") ? new HttpAnswer(503, null, "Site disabled")
            : new HttpAnswer(200, null, "ok");
    }

    public string ResolvePath(string path) => Nodes.TryGetValue(path, out var n) && n.Kind == PathKind.Symlink ? ResolvePath(n.Target!) : path;

    public void Sync(string source, string destination)
    {
        Alive();
        Delete(destination);
        foreach (var (key, node) in Nodes.Where(kv => kv.Key.StartsWith(source + "/", StringComparison.Ordinal)).ToList())
            Nodes[destination + key[source.Length..]] = node;
    }

    public void Dispose() { }

    /// <summary>Everything on the fake server, as text: two equal snapshots mean nothing changed.</summary>
    public string Snapshot()
        => string.Join('\n', Nodes.Select(kv => $"{kv.Key} {kv.Value.Kind} {Convert.ToString((int)kv.Value.Mode, 8)} {kv.Value.Owner}:{kv.Value.Group} {kv.Value.Target} "
                                                + (kv.Value.Content is { } c ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(c))[..16] : "")))
           + "\n--- groups " + string.Join(' ', Groups.Order(StringComparer.Ordinal))
           + "\n--- accounts\n" + string.Join('\n', Accounts.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Value));

    /// <summary>groupadd, groupdel, useradd, userdel, usermod --append --groups and gpasswd --delete, on the fake's groups and accounts.</summary>
    public CommandResult ChangeAccounts(CommandSpec spec)
    {
        var last = spec.Arguments[^1];
        switch (spec.Program)
        {
            case "groupadd": if (!Groups.Add(last) && !spec.Arguments.Contains("--force")) return Fail($"groupadd: group '{last}' already exists"); break;
            case "groupdel": if (!Groups.Remove(last)) return Fail($"groupdel: group '{last}' does not exist"); break;
            case "useradd":
                if (Accounts.ContainsKey(last)) return Fail($"useradd: user '{last}' already exists");
                Accounts[last] = $"uid=1001({last}) gid=1001({last}) groups=1001({last})";
                Groups.Add(last);
                if (spec.Arguments.ToList().IndexOf("--comment") is >= 0 and var c) Comments[last] = spec.Arguments[c + 1];
                if (spec.Arguments.Contains("--create-home")) CreateDirectory($"/home/{last}", (UnixFileMode)Convert.ToInt32("750", 8));
                break;
            case "userdel":
                Accounts.Remove(last);
                Comments.Remove(last);
                Groups.Remove(last);
                if (spec.Arguments.Contains("--remove")) Delete($"/home/{last}");
                break;
            case "usermod":
                var group = spec.Arguments[spec.Arguments.ToList().IndexOf("--groups") + 1];
                if (!Groups.Contains(group) || !Accounts.ContainsKey(last)) return Fail("usermod: no such user or group");
                Accounts[last] += $",2000({group})";
                break;
            case "gpasswd":
                var (user, from) = (spec.Arguments[^2], last);
                Accounts[user] = Accounts[user].Replace($",2000({from})", "", StringComparison.Ordinal);
                break;
        }
        return Ok;
    }

    public static CommandResult Ok => new(0, "", "", TimeSpan.Zero);
    public static CommandResult Fail(string error) => new(1, "", error, TimeSpan.Zero);
}
