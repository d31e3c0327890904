using System.Diagnostics;
using System.Text;
using Aegir.Core.Errors;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Aegir.Core.Transport;

/// <summary>
/// A remote server over SSH (SSH.NET): one connection, opened on first use and kept for the transport's life. Every
/// command and file change goes through the module's remote helper (Transport/Remote/aegir-remote.pl, run by the
/// server's perl), which reads its request from standard input: arguments on the server's process list name programs
/// and paths only; environments, file contents and input travel inside the channel.
/// </summary>
public sealed class SshTransport(SshSettings settings) : ITransport
{
    SshClient? _client;
    readonly object _gate = new();

    public string Host => settings.Host;
    /// <summary>Who the work runs as there: root when the login user becomes it through sudo.</summary>
    public string User => settings.UseSudo ? "root" : settings.User;

    /// <summary>The host key fingerprint the server offered on the last connection attempt (shown when none is pinned).</summary>
    public string? OfferedFingerprint { get; private set; }

    /// <summary>The pinned host key itself (its type and base64), once a connection met it: for ssh's known_hosts.</summary>
    public string? HostKey { get { Client(); return _hostKey; } }
    string? _hostKey;

    public SshSettings Settings => settings;

    static readonly byte[] Helper = LoadHelper();

    static byte[] LoadHelper()
    {
        using var stream = typeof(SshTransport).Assembly.GetManifestResourceStream("Aegir.Remote.aegir-remote.pl")
            ?? throw new InvalidOperationException("the remote helper is not in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    // Reads the helper (length-prefixed) from standard input and runs it; it then reads its request from the same input.
    const string Boot = "perl -e 'my$r=sub{my$n=shift;my$b=\"\";while(length($b)<$n){sysread(STDIN,$b,$n-length($b),length($b))or die\"aegir-remote: no helper\\n\"}$b};my$s=$r->(unpack(\"N\",$r->(4)));eval$s;die$@ if$@'";

    SshClient Client()
    {
        lock (_gate)
        {
            if (_client is { IsConnected: true }) return _client;
            _client?.Dispose();
            _client = null;
            SshAgentKey? signed = null;
            IPrivateKeySource[] keys;
            try { keys = Keys(key => signed = key); }
            catch (SshAgentException ex) { throw AgentFailed(ex); }
            var info = new PrivateKeyConnectionInfo(settings.Host, settings.Port, settings.User, keys) { Timeout = settings.ConnectTimeout };
            var client = new SshClient(info) { KeepAliveInterval = settings.KeepAlive };
            string? refused = null;
            client.HostKeyReceived += (_, e) =>
            {
                OfferedFingerprint = e.FingerPrintSHA256;
                var pinned = settings.HostKeyFingerprint is { } p ? SshSettings.Fingerprint(p) : null;
                e.CanTrust = pinned is not null && string.Equals(pinned, e.FingerPrintSHA256, StringComparison.Ordinal);
                if (!e.CanTrust) refused = pinned;
                else _hostKey = $"{e.HostKeyName} {Convert.ToBase64String(e.HostKey)}";
            };
            try { client.Connect(); }
            catch (SshConnectionException) when (OfferedFingerprint is { } offered && (settings.HostKeyFingerprint is null || refused is not null))
            {
                client.Dispose();
                throw settings.HostKeyFingerprint is null ? ErrorCatalog.HostKeyNotPinned(settings.Where, settings.Server, offered) : ErrorCatalog.HostKeyChanged(settings.Where, settings.Server, refused!, offered);
            }
            catch (SshAgentException ex)
            {
                client.Dispose();
                throw AgentFailed(ex);
            }
            catch (SshException ex) when (settings.AgentSocket is { } socket && (ex is SshAuthenticationException || ex.Message.Contains("Too many authentication failures", StringComparison.Ordinal)))
            {
                client.Dispose();
                var held = keys.Cast<SshAgentKeySource>().Select(k => k.Key.ToString()).Distinct();
                throw ErrorCatalog.SshAgentKeysRefused(settings.Where, settings.User, socket, held, ex is not SshAuthenticationException, ex);
            }
            catch (Exception ex) when (ex is SshException or System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                client.Dispose();
                throw ErrorCatalog.SshFailed(settings.Where, settings.Login, ex.Message, ex);
            }
            AgentKey = signed;
            SshSocket.GiveUpAfter(client, settings.IdleTimeout);
            if (settings.UseSudo) CheckSudo(client);
            return _client = client;
        }
    }

    /// <summary>The key of the agent's that logged in on the current connection (null: a key file did).</summary>
    public SshAgentKey? AgentKey { get; private set; }

    /// <summary>What the module logged in with, for its log: the key file, or the agent's key by fingerprint and comment.</summary>
    public string LoggedInWith { get { Client(); return AgentKey is { } key ? $"the key {key} of the ssh-agent {settings.AgentSocket}" : $"the key {settings.KeyPath}"; } }

    /// <summary>
    /// The keys to log in with: the key file, or every key the agent holds (asked at each connection, so an agent gone
    /// or emptied since is told before anything is sent).
    /// </summary>
    IPrivateKeySource[] Keys(Action<SshAgentKey> signed)
    {
        if (settings.AgentSocket is not { } socket)
            return [settings.KeyPassphrase is null ? new PrivateKeyFile(settings.KeyPath!) : new PrivateKeyFile(settings.KeyPath!, settings.KeyPassphrase)];
        var agent = new SshAgent(socket);
        var held = agent.Keys();
        if (held.Count == 0) throw new SshAgentException("holds no key (ssh-add -l says so too)");
        return [.. SshAgentKeySource.For(agent, held, signed)];
    }

    AegirException AgentFailed(SshAgentException ex) => ErrorCatalog.SshAgentUnavailable(settings.Where, settings.Server, settings.AgentSocket!, ex.Message, ex);

    /// <summary>The helper as the server starts it: itself for root, through sudo (no prompt, no terminal) for another user.</summary>
    string Start => settings.UseSudo ? "sudo -n " + Boot : Boot;

    /// <summary>Once per connection: sudo must let the user run the helper without a password, else nothing else is tried.</summary>
    void CheckSudo(SshClient client)
    {
        using var probe = client.CreateCommand("sudo -n -l /usr/bin/perl && sudo -n -l /usr/bin/rsync");
        probe.CommandTimeout = TimeSpan.FromSeconds(30);
        probe.Execute();
        if (probe.ExitStatus == 0) return;
        client.Dispose();
        var error = (probe.Error ?? "").Trim();
        var why = error.Length > 0 ? error[..Math.Min(error.Length, 300)] : $"sudo -l exited with {probe.ExitStatus}";
        throw ErrorCatalog.SudoRefused(settings.Where, settings.User, why, settings.SudoersLine);
    }

    /// <summary>
    /// The fingerprint (SHA-256, as ssh prints it without "SHA256:") of the host key a server offers: the key exchange
    /// only, refused before any authentication, so nothing of ours reaches it.
    /// </summary>
    public static string ProbeHostKey(SshSettings settings)
    {
        var info = new ConnectionInfo(settings.Host, settings.Port, settings.User, new NoneAuthenticationMethod(settings.User)) { Timeout = settings.ConnectTimeout };
        using var client = new SshClient(info);
        string? offered = null;
        client.HostKeyReceived += (_, e) => { offered = e.FingerPrintSHA256; e.CanTrust = false; };
        try { client.Connect(); }
        catch (Exception ex) when (ex is SshException or System.Net.Sockets.SocketException or IOException or TimeoutException)
        {
            if (offered is null) throw ErrorCatalog.SshFailed(settings.Where, settings.Login, ex.Message, ex);
        }
        return offered ?? throw ErrorCatalog.SshFailed(settings.Where, settings.Login, "it offered no host key");
    }

    /// <summary>
    /// One request to the helper: <paramref name="fields"/> first, then <paramref name="input"/> (or <paramref name="stream"/>)
    /// as the rest of its input. A connection that dropped is opened again once.
    /// </summary>
    CommandResult Remote(IReadOnlyList<string> fields, byte[]? input = null, Stream? stream = null, Stream? output = null, TimeSpan? timeout = null, byte[]? payload = null, bool bounded = false)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        // Requests that stream nothing (or whose output the request itself bounds) go over a serving helper's channel.
        bool quick = stream is null && (output is null || bounded);
        long start = output is { CanSeek: true } ? output.Length : 0;
        for (int attempt = 0; ; attempt++)
        {
            var client = Client();
            try
            {
                if (quick && TakeSession(client) is { } session)
                {
                    try
                    {
                        var result = session.Call(Request(fields, payload, input), limit, output);
                        lock (_sessions) _sessions.Push(session);
                        return result;
                    }
                    catch
                    {
                        session.Dispose();
                        lock (_sessions) _sessionCount--;
                        throw;
                    }
                }
                return Exchange(client, fields, input, stream, output, limit, payload);
            }
            catch (Exception ex) when (ex is SshException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // A dropped connection is opened again once, for a request whose input can be sent again and that does
                // the same twice: a command or a move may have run before the drop, so they fail the task instead.
                // Output caught before the drop is let go first.
                bool again = attempt == 0 && stream is null && (output is null || output.CanSeek) && fields[0] is not ("run" or "move") && ex is SshConnectionException or ObjectDisposedException;
                lock (_gate) { _client?.Dispose(); _client = null; }
                if (!again) throw ErrorCatalog.SshFailed(settings.Where, settings.Login, ex.Message, ex);
                output?.SetLength(start);
            }
        }
    }

    const int MaxSessions = 4;
    readonly Stack<HelperSession> _sessions = new();
    int _sessionCount;

    /// <summary>How many serving channels are open.</summary>
    internal int SessionCount { get { lock (_sessions) return _sessionCount; } }

    /// <summary>An idle serving session of this connection, a new one while there are fewer than four, else null.</summary>
    HelperSession? TakeSession(SshClient client)
    {
        lock (_sessions)
        {
            while (_sessions.TryPop(out var idle))
            {
                if (idle.Client == client) return idle;
                idle.Dispose();
                _sessionCount--;
            }
            if (_sessionCount >= MaxSessions) return null;
            _sessionCount++;
        }
        try
        {
            var start = new MemoryStream();
            Field(start, Helper);
            Field(start, "serve"u8.ToArray());
            return HelperSession.Open(client, Start, start.ToArray());
        }
        catch
        {
            lock (_sessions) _sessionCount--;
            throw;
        }
    }

    /// <summary>A request as the helper reads it after its operation's name: the fields, then a payload, then the input.</summary>
    static byte[] Request(IReadOnlyList<string> fields, byte[]? payload, byte[]? input)
    {
        var request = new MemoryStream();
        foreach (var field in fields) Field(request, Encoding.UTF8.GetBytes(field));
        if (payload is not null) Field(request, payload);
        if (input is not null) request.Write(input);
        return request.ToArray();
    }

    CommandResult Exchange(SshClient client, IReadOnlyList<string> fields, byte[]? input, Stream? stream, Stream? output, TimeSpan timeout, byte[]? payload)
    {
        var clock = Stopwatch.StartNew();
        using var command = client.CreateCommand(Start);
        // The server's helper ends a command whose time is up; this side waits a little longer for it to say so.
        command.CommandTimeout = timeout + TimeSpan.FromSeconds(30);
        var running = command.ExecuteAsync();
        Task<string> stdout = output is not null
            ? command.OutputStream.CopyToAsync(output).ContinueWith(t => { t.GetAwaiter().GetResult(); return ""; })
            : BoundedText.ReadAsync(command.OutputStream);
        var stderr = BoundedText.ReadAsync(command.ExtendedOutputStream);
        using (var stdin = command.CreateInputStream())
        {
            try
            {
                var request = new MemoryStream();
                Field(request, Helper);
                foreach (var field in fields) Field(request, Encoding.UTF8.GetBytes(field));
                if (payload is not null) Field(request, payload);
                stdin.Write(request.GetBuffer(), 0, (int)request.Length);
                if (stream is not null) stream.CopyTo(stdin);
                else if (input is not null) stdin.Write(input);
            }
            catch (Exception ex) when (ex is IOException or SshException) { /* the helper ended without reading all its input */ }
        }
        try { running.GetAwaiter().GetResult(); }
        catch (SshOperationTimeoutException)
        {
            return new CommandResult(-1, "", $"no answer from the server within {timeout}", clock.Elapsed, TimedOut: true);
        }
        var outText = stdout.GetAwaiter().GetResult();
        var errText = stderr.GetAwaiter().GetResult();
        int code = command.ExitStatus ?? -1;
        return new CommandResult(code, outText, errText, clock.Elapsed, TimedOut: code == 124 && errText.Contains("aegir-remote: timed out", StringComparison.Ordinal));
    }

    static void Field(Stream to, byte[] value)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        to.Write(length);
        to.Write(value);
    }

    static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8);

    /// <summary>A helper request that changes something: its failure is an IOException naming the server, as the local transport's are.</summary>
    CommandResult Must(params string[] fields)
    {
        var result = Remote(fields);
        if (!result.Succeeded) throw new IOException($"on {settings.Where}: {result.Summary()}");
        return result;
    }

    public CommandResult Run(CommandSpec spec)
    {
        var fields = new List<string> { "run", spec.Program, spec.Arguments.Count.ToString() };
        fields.AddRange(spec.Arguments);
        fields.Add(spec.InheritEnvironment ? "0" : "1");
        var environment = spec.Environment ?? new Dictionary<string, string>();
        fields.Add(environment.Count.ToString());
        foreach (var (key, value) in environment) { fields.Add(key); fields.Add(value); }
        fields.Add(spec.WorkingDirectory ?? "/");
        fields.Add(spec.OwnSession ? "1" : "0");
        fields.Add(((long)Math.Ceiling(spec.Timeout.TotalSeconds)).ToString());
        return Remote(fields, spec.StandardInput, spec.InputStream, spec.OutputStream, spec.Timeout);
    }

    public void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null)
    {
        var result = Remote(["write", path, Octal(mode), owner ?? "", group ?? ""], payload: content);
        if (!result.Succeeded) throw new IOException($"on {settings.Where}: {result.Summary()}");
    }

    /// <summary>Files up to this size are read over a serving channel; a larger one is streamed over a channel of its own.</summary>
    const int QuickRead = BoundedText.DefaultLimit;
    const string TooLarge = "check what it is and put the file it should be in its place";

    public byte[]? ReadFile(string path)
    {
        using var bytes = new MemoryStream();
        var result = Remote(["read", path, QuickRead.ToString()], output: bytes, bounded: true);
        if (result.ExitCode == 7)
        {
            bytes.SetLength(0);
            result = Remote(["read", path, ITransport.MaxRead.ToString()], output: bytes);
            if (result.ExitCode == 7) throw new IOException($"{path} on {settings.Where} is larger than {ITransport.MaxRead / 1024 / 1024} MiB, more than any file the module reads; {TooLarge}");
        }
        if (result.ExitCode == 3) return null;
        if (!result.Succeeded) throw new IOException($"on {settings.Where}: {result.Summary()}");
        return bytes.ToArray();
    }

    public PathKind Kind(string path)
    {
        var result = Remote(["kind", path]);
        if (result.ExitCode == 3) return PathKind.None;
        if (!result.Succeeded) throw new IOException($"on {settings.Where}: {result.Summary()}");
        return result.StandardOutput switch
        {
            "file" => PathKind.File, "dir" => PathKind.Directory, "link" => PathKind.Symlink, "other" => PathKind.Other, _ => PathKind.None,
        };
    }

    public IReadOnlyList<string> List(string path)
    {
        var result = Remote(["list", path]);
        if (result.ExitCode == 3) return [];
        if (!result.Succeeded) throw new IOException($"on {settings.Where}: {result.Summary()}");
        return result.StandardOutput.Length == 0 ? [] : result.StandardOutput.Split('\0').Order(StringComparer.Ordinal).ToList();
    }

    public IEnumerable<string> FindFiles(string root, string pattern, int maxDepth)
    {
        var result = Run(new CommandSpec("find", ["-P", root, "-maxdepth", (maxDepth + 1).ToString(), "-type", "f", "-name", pattern, "-print0"]));
        return result.ExitCode == 0 ? result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    public void CreateDirectory(string path, UnixFileMode mode) => Must("mkdir", path, Octal(mode));

    public bool EnsureDirectory(string root, string relative, UnixFileMode mode, string? owner, string? group)
        => Must("ensure", root, relative, Octal(mode), owner ?? "", group ?? "").StandardOutput == "1";

    public void SetOwner(string path, string? owner, string? group) => Must("chown", path, owner ?? "", group ?? "");

    public void SetMode(string path, UnixFileMode mode) => Must("chmod", path, Octal(mode));

    public UnixFileMode GetMode(string path) => (UnixFileMode)Convert.ToInt32(Must("getmode", path).StandardOutput, 8);

    public void Delete(string path)
    {
        var result = Remote(["delete", path], timeout: TimeSpan.FromHours(2));
        if (!result.Succeeded && result.ExitCode != 3) throw new IOException($"cannot delete {path} on {settings.Where}: {result.Summary()}");
    }

    public void Move(string from, string to) => Must("move", from, to);

    public bool UserExists(string name) => Remote(["user", name]).ExitCode == 0;

    public bool GroupExists(string name) => Remote(["group", name]).ExitCode == 0;

    public string PrimaryGroup(string user) => Must("primary", user).StandardOutput;

    public (string User, string Group)? OwnerOf(string path)
    {
        var result = Remote(["owner", path]);
        if (result.ExitCode == 3) return null;
        if (!result.Succeeded) throw new IOException($"on {settings.Where}: {result.Summary()}");
        var parts = result.StandardOutput.Split('\0');
        return (parts[0], parts[1]);
    }

    public string ResolvePath(string path) => Must("resolve", path).StandardOutput;

    public HttpAnswer Fetch(string address, int port, string host, string path, string? tlsThumbprint = null)
    {
        if (tlsThumbprint is not null) return FetchTls(address, port, host, path, tlsThumbprint);
        var result = Remote(["fetch", address, port.ToString(), port == 80 ? host : $"{host}:{port}", path], timeout: TimeSpan.FromSeconds(30));
        if (!result.Succeeded) throw new IOException($"no answer from {address}:{port} for {host} (asked on {settings.Where}): {result.Summary()}");
        var text = result.StandardOutput;
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ') is { Length: > 1 } words && int.TryParse(words[1], out var s) ? s : throw new IOException($"{address}:{port} answered no HTTP (asked on {settings.Where})");
        var location = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Location:", StringComparison.OrdinalIgnoreCase))?[9..].Trim();
        return new HttpAnswer(status, location, split < 0 ? "" : text[(split + 4)..]);
    }

    /// <summary>
    /// A GET over HTTPS: the TLS is done here, pinned as on this machine (the server may lack a TLS library), its bytes
    /// carried to the web server through a port forwarded over the SSH connection (127.0.0.1 only, for this request).
    /// </summary>
    HttpAnswer FetchTls(string address, int port, string host, string path, string thumbprint)
    {
        var client = Client();
        using var forward = new ForwardedPortLocal("127.0.0.1", 0, address, (uint)port);
        Exception? failed = null;
        forward.Exception += (_, e) => failed ??= e.Exception;
        long received = 0;
        client.AddForwardedPort(forward);
        try
        {
            forward.Start();
            var target = $"{(address.Contains(':') ? $"[{address}]" : address)}:{port} (through the SSH connection to {settings.Where})";
            try
            {
                return HttpFetch.Get(async cancel =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    try { await socket.ConnectAsync(System.Net.IPAddress.Loopback, (int)forward.BoundPort, cancel); }
                    catch { socket.Dispose(); throw; }
                    return new CountingStream(socket, n => Interlocked.Add(ref received, n));
                }, target, port, host, path, thumbprint);
            }
            catch (IOException ex) when (Interlocked.Read(ref received) == 0 && ex.InnerException is not TaskCanceledException)
            {
                // Nothing came back: sshd refused to open the channel, or nothing listens there. Asked from the server
                // itself (the helper's plain request), a port that takes the connection means the forwarding was refused.
                if (failed is SshException or ObjectDisposedException) throw ErrorCatalog.SshFailed(settings.Where, settings.Login, failed.Message, failed);
                var probe = Remote(["fetch", address, port.ToString(), host, "/"], timeout: TimeSpan.FromSeconds(30));
                if (probe.Succeeded)
                    throw ErrorCatalog.SshForwardingRefused(settings.Where, settings.User, $"{address}:{port}");
                throw new IOException($"{ex.Message}; asked on {settings.Where} itself, {address}:{port} does not answer either ({probe.Summary()})", ex);
            }
        }
        finally
        {
            if (forward.IsStarted) forward.Stop();
            client.RemoveForwardedPort(forward);
        }
    }

    /// <summary>A socket's stream that tells how many bytes it read: none means the other end closed at once.</summary>
    sealed class CountingStream(System.Net.Sockets.Socket socket, Action<int> read) : System.Net.Sockets.NetworkStream(socket, ownsSocket: true)
    {
        public override int Read(byte[] buffer, int offset, int count) => Counted(base.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Counted(base.Read(buffer));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default) => Counted(await base.ReadAsync(buffer, cancel));
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel) => Counted(await base.ReadAsync(buffer, offset, count, cancel));
        int Counted(int n) { read(n); return n; }
    }

    public void Sync(string source, string destination)
    {
        var result = Run(new CommandSpec("rsync", ["-a", "--delete", source.TrimEnd('/') + "/", destination.TrimEnd('/') + "/"]) { Timeout = TimeSpan.FromHours(2) });
        if (!result.Succeeded) throw new IOException($"rsync {source} {destination} on {settings.Where}: {result.Summary()}");
    }

    public void Dispose()
    {
        lock (_sessions)
        {
            while (_sessions.TryPop(out var idle)) idle.Dispose();
            _sessionCount = 0;
        }
        lock (_gate)
        {
            _client?.Dispose();
            _client = null;
        }
    }
}
