using System.Diagnostics;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

/// <summary>
/// Another machine for the tests: a network namespace with its own mount and UTS namespace (tests/hosts/testhost.sh),
/// running Debian's sshd with root's login by a key made for it. Torn down when the tests are done.
/// </summary>
public sealed class TestServerHost : IDisposable
{
    public string Dir { get; }
    public string Address { get; }
    public string Fingerprint { get; }
    public string KeyPath => Path.Combine(Dir, "id_ed25519");

    public TestServerHost()
    {
        // A fresh machine's package lists may be empty: Ensure updates them first.
        if (!File.Exists("/usr/sbin/sshd")) Aegir.Core.Machine.Packages.Ensure(["openssh-server"], _ => { });
        Dir = Path.Combine(Path.GetTempPath(), "aegir-host-" + Guid.NewGuid().ToString("N")[..10]);
        // A subnet of its own per run: 10.231.<n>.0/24, free of any other host's.
        var used = Shell("ip", "-o", "-4", "addr", "show");
        var n = Enumerable.Range(10 + Random.Shared.Next(200), 40).First(i => !used.Contains($"10.231.{i}."));
        Address = Shell(Script, "up", "transport" + n, Dir, n.ToString()).Trim().Split('\n')[^1];
        var line = File.ReadAllText(Path.Combine(Dir, "fs/etc/ssh/ssh_host_ed25519_key.pub"));
        Fingerprint = Shell("ssh-keygen", "-lf", Path.Combine(Dir, "fs/etc/ssh/ssh_host_ed25519_key.pub")).Split(' ')[1];
        _ = line;
    }

    public SshSettings Settings => new(Address, 22, "root", KeyPath) { HostKeyFingerprint = Fingerprint };

    /// <summary>Kills sshd's session processes there (what a dropped connection ends), not its listener.</summary>
    public void DropSessions()
        => Shell("sh", "-c", $"for p in $(ip netns pids $(cat '{Dir}/netns')); do tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q '^sshd: .*@notty' && kill -9 $p; done; true");

    /// <summary>Cuts (or mends) the link to the host on this machine's side, as a pulled cable would.</summary>
    public void Link(bool up)
        => Shell("ip", "link", "set", "ath" + File.ReadAllText(Path.Combine(Dir, "index")).Trim(), up ? "up" : "down");

    /// <summary>Runs a command on the host itself (as its root), outside any transport under test.</summary>
    public string Run(params string[] command) => Shell(Script, ["run", Dir, .. command]);

    static string Script
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "Aegir.sln"))) root = Path.GetDirectoryName(root)!;
            return Path.Combine(root, "tests", "hosts", "testhost.sh");
        }
    }

    /// <summary>Runs a program on this machine, its output returned; failing, it throws with what the program said.</summary>
    public static string Shell(string program, params string[] arguments)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {error.Result}{output.Result}");
        return output.Result;
    }

    public void Dispose()
    {
        try { Shell(Script, "down", Dir); } catch (InvalidOperationException) { }
    }
}
