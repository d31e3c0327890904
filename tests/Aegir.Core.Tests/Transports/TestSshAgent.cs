using System.Diagnostics;

namespace Aegir.Core.Tests.Transports;

/// <summary>
/// A real ssh-agent for the tests (openssh-client's, in the foreground: ssh-agent -D -a SOCKET) in a temp folder of its
/// own, as this user or another; killed and its folder removed when done.
/// </summary>
public sealed class TestSshAgent : IDisposable
{
    readonly Process _agent;

    public string Dir { get; }

    public string Socket => Path.Combine(Dir, "agent.sock");

    public TestSshAgent(string? user = null)
    {
        Dir = Directory.CreateTempSubdirectory("aegir-agent-").FullName;
        if (user is not null) TestServerHost.Shell("chown", user, Dir);
        string[] agent = ["ssh-agent", "-D", "-a", Socket];
        var psi = new ProcessStartInfo(user is null ? agent[0] : "runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in user is null ? agent[1..] : ["-u", user, "--", .. agent]) psi.ArgumentList.Add(a);
        _agent = Process.Start(psi)!;
        var clock = Stopwatch.StartNew();
        // The socket is there once bound, a moment before the agent listens on it: wait until it answers
        // (ssh-add -l exits 2 only when it cannot reach the agent).
        while (!Answers() && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        if (!Answers()) throw new InvalidOperationException("ssh-agent did not answer on its socket");
    }

    bool Answers()
    {
        if (!File.Exists(Socket)) return false;
        var psi = new ProcessStartInfo("ssh-add", "-l") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["SSH_AUTH_SOCK"] = Socket;
        using var list = Process.Start(psi)!;
        list.StandardOutput.ReadToEnd();
        list.StandardError.ReadToEnd();
        list.WaitForExit();
        return list.ExitCode != 2;
    }

    /// <summary>ssh-add of a key file; a passphrase reaches ssh-add as a person's would (through SSH_ASKPASS), never us.</summary>
    public void Add(string keyFile, string? passphrase = null)
    {
        var psi = new ProcessStartInfo("ssh-add") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(keyFile);
        psi.Environment["SSH_AUTH_SOCK"] = Socket;
        if (passphrase is not null)
        {
            var askpass = Path.Combine(Dir, "askpass");
            File.WriteAllText(askpass, $"#!/bin/sh\necho '{passphrase}'\n");
            File.SetUnixFileMode(askpass, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            psi.Environment["SSH_ASKPASS"] = askpass;
            psi.Environment["SSH_ASKPASS_REQUIRE"] = "force";
            psi.Environment["DISPLAY"] = ":0";
        }
        using var add = Process.Start(psi)!;
        add.StandardInput.Close();
        var error = add.StandardError.ReadToEnd();
        add.WaitForExit();
        if (add.ExitCode != 0) throw new InvalidOperationException($"ssh-add {keyFile}: {error}");
    }

    /// <summary>A new key pair in the agent's folder (the private key with the passphrase, when one is given).</summary>
    public string NewKey(string type, string name, string passphrase = "")
    {
        var path = Path.Combine(Dir, name);
        TestServerHost.Shell("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", name, "-f", path);
        return path;
    }

    /// <summary>Ends the agent as a crash would: its socket stays, and nothing answers on it.</summary>
    public void Kill()
    {
        _agent.Kill(entireProcessTree: true);
        _agent.WaitForExit();
    }

    public void Dispose()
    {
        if (!_agent.HasExited) Kill();
        _agent.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
