using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Certificates;

/// <summary>
/// Asks an ACME directory for a certificate over HTTP-01 with Debian's lego, writing the challenges into the web
/// server's shared challenge folder. The site's key is made here and never leaves the store: lego gets a CSR
/// (--csr). lego's own folder (its account key) lives in the store under <c>_acme/</c>, 0700: each run works in a
/// private copy of it, so runs for several sites do not trip over one another, and a first run's new account is moved
/// into place whole. Nothing secret is on lego's command line: it has the account's email, the directory, paths.
/// </summary>
public sealed class LegoClient(string home)
{
    public const string Program = "lego";
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public sealed record Issued(string CertificatePem, string KeyPem, X509Certificate2 Leaf);

    string AcmeFolder => Path.Combine(home, "certificates", AcmeSettings.Folder);

    /// <summary>The folder of the account for a directory and email: lego's --path, named by both.</summary>
    public string AccountFolder(AcmeSettings acme)
        => Path.Combine(AcmeFolder, "account-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(acme.Directory + "\n" + acme.Email))).ToLowerInvariant()[..16]);

    /// <summary>A new key and a certificate for <paramref name="names"/> (the first is its subject), checked before it is handed back.</summary>
    public Issued Obtain(AcmeSettings acme, IReadOnlyList<string> names, string webroot, Action<string> log, bool retried = false)
    {
        if (acme.Email is null) throw new InvalidOperationException("an ACME account needs an email");
        Machine.Packages.Ensure([Program], log);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names[0]}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        AtomicFile.EnsurePrivateDirectory(Path.Combine(home, "certificates"));
        AtomicFile.EnsurePrivateDirectory(AcmeFolder);
        var account = AccountFolder(acme);
        DropStaleRuns();
        var run = Path.Combine(AcmeFolder, RunName(Environment.ProcessId, Aegir.Core.Tasks.ProcessIdentity.CurrentStart));
        AtomicFile.EnsurePrivateDirectory(run);
        try
        {
            if (Directory.Exists(Path.Combine(account, "accounts"))) CopyTree(Path.Combine(account, "accounts"), Path.Combine(run, "accounts"));
            var csr = Path.Combine(run, "request.csr");
            AtomicFile.WriteAllText(csr, request.CreateSigningRequestPem());
            var env = new Dictionary<string, string>();
            if (acme.RootsPath is { } roots) env["LEGO_CA_CERTIFICATES"] = roots;
            var result = new LocalTransport().Run(new CommandSpec(Program,
            [
                "--server", acme.Directory, "--email", acme.Email, "--accept-tos", "--path", run, "--csr", csr,
                "--http", "--http.webroot", webroot, "--key-type", "ec256", "run",
            ]) { Environment = env, Timeout = Timeout, WorkingDirectory = run });
            if (!result.Succeeded && AcmeError(result).Contains("accountDoesNotExist", StringComparison.Ordinal) && Directory.Exists(account) && !retried)
            {
                // The CA no longer knows the kept account (a private CA started afresh): forget it and register anew, once.
                log($"{acme.Directory} no longer knows the ACME account kept for {acme.Email}: registering a new one.");
                ForgetAccount(acme);
                return Obtain(acme, names, webroot, log, retried: true);
            }
            if (!result.Succeeded) throw Failure(names[0], acme.Directory, result);
            KeepAccount(run, account);
            var issued = Path.Combine(run, "certificates", Sanitize(names[0]) + ".crt");
            var pem = File.Exists(issued) ? File.ReadAllText(issued)
                : throw ErrorCatalog.AcmeFailed(names[0], acme.Directory, $"lego said it succeeded, but wrote no {issued}", challenge: false);
            return Check(acme, names, pem, key);
        }
        finally
        {
            try { Directory.Delete(run, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The certificate is for this key and these names, and chains to a root trusted here or given for the directory.</summary>
    static Issued Check(AcmeSettings acme, IReadOnlyList<string> names, string pem, ECDsa key)
    {
        var chain = CertificateFacts.Chain(pem);
        var leaf = chain.Count > 0 ? chain[0] : throw ErrorCatalog.AcmeFailed(names[0], acme.Directory, "the CA sent no certificate", challenge: false);
        if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            throw ErrorCatalog.AcmeFailed(names[0], acme.Directory, "the CA sent a certificate for another key", challenge: false);
        if (CertificateNames.Uncovered(CertificateFacts.Names(leaf), names) is { Count: > 0 } missing)
            throw ErrorCatalog.AcmeFailed(names[0], acme.Directory, $"the CA sent a certificate that does not cover {string.Join(", ", missing)}", challenge: false);
        using var built = CertificateChain.Build(chain, acme.RootsPath is { } roots && File.Exists(roots) ? CertificateFacts.Chain(File.ReadAllText(roots)) : null);
        if (!built.Ok)
            throw ErrorCatalog.AcmeFailed(names[0], acme.Directory, $"its certificate does not chain to a trusted root ({built.Problem}): for a private CA, give its issuing root in Set-AegirServer -AcmeRootCertificate", challenge: false);
        var fullchain = string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n"));
        return new Issued(fullchain, key.ExportPkcs8PrivateKeyPem() + "\n", leaf);
    }

    /// <summary>Why lego failed, as the user can act on it: a directory it could not fetch, the CA's refusal, else the end of what it said.</summary>
    internal static Errors.AegirException Failure(string uri, string directory, CommandResult result)
    {
        if (result.TimedOut) return ErrorCatalog.AcmeFailed(uri, directory, $"lego ran longer than {Timeout.TotalMinutes:0} minutes", challenge: false);
        var lines = Lines(result);
        if (lines.FirstOrDefault(l => l.Contains("get directory at", StringComparison.Ordinal)) is { } unreachable)
            return ErrorCatalog.AcmeUnreachable(uri, directory, UnreachableCause(unreachable));
        return ErrorCatalog.AcmeFailed(uri, directory, AcmeError(result), challenge: lines.Any(IsAcmeProblem));
    }

    /// <summary>Why the directory could not be fetched, in a few words (lego's line ends with Go's error chain).</summary>
    internal static string UnreachableCause(string line)
    {
        if (line.Contains("connection refused", StringComparison.Ordinal)) return "connection refused";
        if (line.Contains("no such host", StringComparison.Ordinal)) return "no such host";
        if (line.Contains("timeout", StringComparison.OrdinalIgnoreCase) || line.Contains("deadline exceeded", StringComparison.Ordinal)) return "no answer in time";
        if (line.IndexOf("x509: ", StringComparison.Ordinal) is >= 0 and var x509) return "its TLS certificate is not trusted: " + Short(line[(x509 + 6)..]);
        if (line.IndexOf("tls: ", StringComparison.Ordinal) is >= 0 and var tls) return "TLS failed: " + Short(line[(tls + 5)..]);
        var cause = line[(line.LastIndexOf(": ", StringComparison.Ordinal) + 2)..];
        return Short(cause);
    }

    static string Short(string text) => text.Length > 120 ? text[..120] + "..." : text;

    static bool IsAcmeProblem(string line) => line.Contains("urn:ietf:params:acme:error", StringComparison.Ordinal) || line.Contains("acme: error", StringComparison.Ordinal);

    /// <summary>lego's output without its account-key chatter (a new key made and saved in the run's folder), which says nothing about a failure.</summary>
    static List<string> Lines(CommandResult result)
        => (result.StandardError + "\n" + result.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(StripLogPrefix)
            .Where(l => !l.StartsWith("No key found for account", StringComparison.Ordinal) && !l.StartsWith("Saved key to", StringComparison.Ordinal))
            .ToList();

    /// <summary>The ACME error lego printed (the CA's problem document, one line per name), else the end of what it said.</summary>
    internal static string AcmeError(CommandResult result)
    {
        var lines = Lines(result);
        var acme = lines.Where(IsAcmeProblem).ToList();
        var chosen = acme.Count > 0 ? acme : lines.TakeLast(3).ToList();
        var text = string.Join(" | ", chosen.Distinct());
        return text.Length > 1500 ? text[..1500] + "..." : text.Length == 0 ? $"lego exited with code {result.ExitCode}" : text;
    }

    /// <summary>lego's log lines begin with a date and time: the error reads better without them.</summary>
    static string StripLogPrefix(string line)
    {
        var parts = line.Split(' ', 3);
        return parts.Length == 3 && parts[0].Count(c => c == '/') == 2 && parts[1].Count(c => c == ':') == 2 ? parts[2] : line;
    }

    /// <summary>A first run's account (its key and registration) becomes the account's, moved whole; an account already kept stays.</summary>
    static void KeepAccount(string run, string account)
    {
        var made = Path.Combine(run, "accounts");
        var kept = Path.Combine(account, "accounts");
        if (Directory.Exists(kept) || !Directory.Exists(made)) return;
        AtomicFile.EnsurePrivateDirectory(account);
        Private(made);
        try { Directory.Move(made, kept); }
        catch (IOException) { }   // another run kept its account first: that one stays
    }

    /// <summary>lego's own modes are its umask's: its account tree becomes owner-only (folders 0700, files 0600) before it is kept.</summary>
    static void Private(string dir)
    {
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => new DirectoryInfo(d).LinkTarget is null)) Private(sub);
        foreach (var file in Directory.EnumerateFiles(dir).Where(f => new FileInfo(f).LinkTarget is null)) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Copies lego's account tree into a run's folder, keeping it private (folders 0700, files 0600).</summary>
    static void CopyTree(string from, string to)
    {
        AtomicFile.EnsurePrivateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        foreach (var file in Directory.EnumerateFiles(from))
            if (!new FileInfo(file).Attributes.HasFlag(FileAttributes.ReparsePoint))
                AtomicFile.WriteAllBytes(Path.Combine(to, Path.GetFileName(file)), File.ReadAllBytes(file), durable: false);
    }

    /// <summary>How lego names a certificate's files after its first domain.</summary>
    static string Sanitize(string domain) => domain.Replace("*", "_", StringComparison.Ordinal);

    /// <summary>A run's folder, named by the process that owns it (pid and start), so one left by a killed process is told apart from one in use.</summary>
    internal static string RunName(int pid, long start) => $"run-{pid}-{start}-{Guid.NewGuid():N}";

    /// <summary>
    /// Drops the run folders (each holds a copy of an account key) whose process is gone: killed, it left its folder
    /// behind. A folder whose name gives no owner goes once it outlived any run by far.
    /// </summary>
    internal void DropStaleRuns()
    {
        foreach (var dir in Directory.EnumerateDirectories(AcmeFolder, "run-*"))
        {
            var owner = Path.GetFileName(dir).Split('-');
            var gone = owner.Length == 4 && int.TryParse(owner[1], out var pid) && long.TryParse(owner[2], out var start)
                ? !Aegir.Core.Tasks.ProcessIdentity.IsAlive(pid, start)
                : DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) > 4 * Timeout;
            if (gone)
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Forgets the account of a directory the CA no longer knows (a test CA restarted): the next run registers anew.</summary>
    public void ForgetAccount(AcmeSettings acme)
    {
        var folder = AccountFolder(acme);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
