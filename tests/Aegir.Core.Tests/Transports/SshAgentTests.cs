using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

/// <summary>Logging in with a key an ssh-agent holds: a real ssh-agent, a real sshd, the key never read by the module.</summary>
[Collection(nameof(TestServerHost))]
public sealed class SshAgentTests(TestServerHostFixture fixture)
{
    TestServerHost Host => fixture.Host;

    SshSettings Through(TestSshAgent agent) => Host.Settings with { KeyPath = null, AgentSocket = agent.Socket };

    static string Fingerprint(string keyFile) => TestServerHost.Shell("ssh-keygen", "-lf", keyFile + ".pub").Split(' ')[1];

    /// <summary>Lets a public key log in as root on the test server.</summary>
    void Authorize(string keyFile) => File.AppendAllText(Path.Combine(Host.Dir, "fs/root/.ssh/authorized_keys"), File.ReadAllText(keyFile + ".pub"));

    [Fact]
    public void An_ed25519_key_the_agent_holds_logs_in_and_is_named()
    {
        using var agent = new TestSshAgent();
        agent.Add(Host.KeyPath);
        using var ssh = new SshTransport(Through(agent));
        Assert.Equal("0", ssh.Run(new CommandSpec("id", ["-u"])).StandardOutput.Trim());
        Assert.Equal(Fingerprint(Host.KeyPath), ssh.AgentKey!.Fingerprint);
        Assert.Equal("ssh-ed25519", ssh.AgentKey.Type);
        Assert.Contains(Fingerprint(Host.KeyPath), ssh.LoggedInWith);
        Assert.Contains(agent.Socket, ssh.LoggedInWith);
    }

    [Fact]
    public void An_rsa_key_added_with_its_passphrase_logs_in_by_sha2_without_the_passphrase()
    {
        using var agent = new TestSshAgent();
        var key = agent.NewKey("rsa", "aegir-rsa", "correct horse");
        Authorize(key);
        agent.Add(key, "correct horse");
        // Neither the key file nor its passphrase is given: the agent signs (Debian's sshd takes no SHA-1 ssh-rsa signature).
        var settings = Through(agent);
        Assert.Null(settings.KeyPath);
        Assert.Null(settings.KeyPassphrase);
        using var ssh = new SshTransport(settings);
        Assert.Equal("0", ssh.Run(new CommandSpec("id", ["-u"])).StandardOutput.Trim());
        Assert.Equal(("ssh-rsa", Fingerprint(key)), (ssh.AgentKey!.Type, ssh.AgentKey.Fingerprint));
        Assert.Contains("aegir-rsa", ssh.LoggedInWith);
    }

    [Fact]
    public void An_ecdsa_key_the_agent_holds_logs_in_by_its_own_algorithm()
    {
        using var agent = new TestSshAgent();
        var key = agent.NewKey("ecdsa", "aegir-ecdsa");
        Authorize(key);
        agent.Add(key);
        using var ssh = new SshTransport(Through(agent));
        Assert.Equal(PathKind.Directory, ssh.Kind("/srv"));
        Assert.Equal(("ecdsa-sha2-nistp256", Fingerprint(key)), (ssh.AgentKey!.Type, ssh.AgentKey.Fingerprint));
    }

    [Fact]
    public void Of_many_keys_the_one_the_server_takes_logs_in()
    {
        using var agent = new TestSshAgent();
        agent.Add(agent.NewKey("ed25519", "stranger-1"));
        agent.Add(agent.NewKey("rsa", "stranger-2"));
        agent.Add(Host.KeyPath);
        using var ssh = new SshTransport(Through(agent));
        Assert.Equal(PathKind.Directory, ssh.Kind("/srv"));
        Assert.Equal(Fingerprint(Host.KeyPath), ssh.AgentKey!.Fingerprint);
    }

    [Fact]
    public void An_agent_holding_only_keys_the_server_refuses_fails_naming_the_server_the_keys_and_the_fix()
    {
        using var agent = new TestSshAgent();
        var stranger = agent.NewKey("ed25519", "stranger");
        agent.Add(stranger);
        var mark = $"/srv/refused-{Guid.NewGuid():N}";
        using var ssh = new SshTransport(Through(agent));
        var ex = Assert.Throws<AegirException>(() => ssh.Run(new CommandSpec("touch", [mark])));
        Assert.Equal("SshAgentKeyRefused", ex.ErrorId);
        Assert.Contains(Host.Address, ex.Message);
        Assert.Contains(Fingerprint(stranger), ex.Message);
        Assert.Contains("ssh-add", ex.Message);
        Assert.Contains("authorized_keys", ex.Message);
        Assert.Equal("", Host.Run("sh", "-c", $"ls {mark} 2>/dev/null || true"));
    }

    [Fact]
    public void An_agent_with_more_keys_than_the_server_tries_fails_saying_so()
    {
        // Debian's sshd closes a login after six refused attempts (MaxAuthTries), before the server's own key is offered.
        using var agent = new TestSshAgent();
        for (int i = 0; i < 7; i++) agent.Add(agent.NewKey("ed25519", $"stranger-{i}"));
        agent.Add(Host.KeyPath);
        using var ssh = new SshTransport(Through(agent));
        var ex = Assert.Throws<AegirException>(() => ssh.Kind("/srv"));
        Assert.Equal("SshAgentKeyRefused", ex.ErrorId);
        Assert.Contains("MaxAuthTries", ex.Message);
        Assert.Contains(Fingerprint(Host.KeyPath), ex.Message);
    }

    [Fact]
    public void A_missing_socket_fails_naming_it_and_the_fix_and_sends_nothing()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"aegir-no-agent-{Guid.NewGuid():N}.sock");
        var mark = $"/srv/no-agent-{Guid.NewGuid():N}";
        using var ssh = new SshTransport(Host.Settings with { KeyPath = null, AgentSocket = socket, Server = "server_web1" });
        var ex = Assert.Throws<AegirException>(() => ssh.Run(new CommandSpec("touch", [mark])));
        Assert.Equal("SshAgentUnavailable", ex.ErrorId);
        Assert.Contains(socket, ex.Message);
        Assert.Contains("'@server_web1'", ex.Message);
        Assert.Contains("ssh-agent -a", ex.Message);
        Assert.Contains("Set-AegirServer server_web1 -SshAgentSocket", ex.Message);
        Assert.Equal("", Host.Run("sh", "-c", $"ls {mark} 2>/dev/null || true"));
    }

    [Fact]
    public void An_agent_gone_since_or_emptied_fails_at_the_next_connection_naming_why()
    {
        using var agent = new TestSshAgent();
        using (var empty = new SshTransport(Through(agent)))
        {
            var ex = Assert.Throws<AegirException>(() => empty.Kind("/srv"));
            Assert.Equal("SshAgentUnavailable", ex.ErrorId);
            Assert.Contains("holds no key", ex.Message);
        }
        agent.Add(Host.KeyPath);
        agent.Kill();
        using var gone = new SshTransport(Through(agent));
        var gonex = Assert.Throws<AegirException>(() => gone.Kind("/srv"));
        Assert.Equal("SshAgentUnavailable", gonex.ErrorId);
        Assert.Contains("no agent listens on it", gonex.Message);
    }

    [Fact]
    public void A_push_with_rsync_logs_in_through_the_same_agent()
    {
        using var agent = new TestSshAgent();
        var key = agent.NewKey("rsa", "aegir-push", "push phrase");
        Authorize(key);
        agent.Add(key, "push phrase");
        var source = Directory.CreateTempSubdirectory("aegir-push-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(source, "index.php"), "<?php echo 'pushed';");
            using var ssh = new SshTransport(Through(agent));
            var destination = $"/srv/push-{Guid.NewGuid():N}";
            var result = RsyncPush.Run(ssh, source, destination, [], dryRun: false, TimeSpan.FromMinutes(1));
            Assert.True(result.Succeeded, result.StandardError);
            Assert.Equal(["index.php"], RsyncPush.Changes(result).Where(p => p != "./").ToList());
            Assert.Equal("<?php echo 'pushed';", Host.Run("cat", destination + "/index.php"));

        }
        finally { Directory.Delete(source, recursive: true); }
    }

    [Fact]
    public void A_socket_is_checked_when_given_links_others_sockets_and_empty_agents_refused()
    {
        using var agent = new TestSshAgent();
        string Refused(string socket) => Assert.Throws<AegirException>(() => SshKeys.CheckAgent("SshAgentSocket", socket)).Message;

        Assert.Contains("holds no key", Refused(agent.Socket));
        agent.Add(Host.KeyPath);
        Assert.Equal([Fingerprint(Host.KeyPath)], SshKeys.CheckAgent("SshAgentSocket", agent.Socket).Select(k => k.Fingerprint));

        var link = Path.Combine(agent.Dir, "link.sock");
        File.CreateSymbolicLink(link, agent.Socket);
        Assert.Contains($"is a link (to {agent.Socket})", Refused(link));
        Assert.Contains("not there", Refused(Path.Combine(agent.Dir, "none.sock")));
        Assert.Contains("not a socket", Refused(Host.KeyPath));

        File.SetUnixFileMode(agent.Socket, (UnixFileMode)0b110_110_000);
        Assert.Contains("others than its owner", Refused(agent.Socket));
        File.SetUnixFileMode(agent.Socket, (UnixFileMode)0b110_000_000);
        TestServerHost.Shell("chown", "nobody", agent.Socket);
        Assert.Contains("belongs to nobody", Refused(agent.Socket));
    }

    [Fact]
    public void An_agent_of_another_user_is_refused_even_behind_a_socket_of_ours()
    {
        using var theirs = new TestSshAgent("nobody");
        TestServerHost.Shell("chown", "root", theirs.Socket);
        var ex = Assert.Throws<AegirException>(() => SshKeys.CheckAgent("SshAgentSocket", theirs.Socket));
        Assert.Contains("a process of nobody's", ex.Message);
    }

    [Fact]
    public void A_key_file_of_another_account_is_refused_naming_its_owner()
    {
        var dir = Directory.CreateTempSubdirectory("aegir-key-owner").FullName;
        try
        {
            var key = Path.Combine(dir, "theirs");
            File.Copy(Host.KeyPath, key);
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            TestServerHost.Shell("chown", "nobody", key);
            var ex = Assert.Throws<AegirException>(() => SshKeys.Check("SshKeyPath", Host.Settings with { KeyPath = key }));
            Assert.Contains("it belongs to nobody", ex.Message);
            TestServerHost.Shell("chown", "root", key);
            SshKeys.Check("SshKeyPath", Host.Settings with { KeyPath = key });
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
