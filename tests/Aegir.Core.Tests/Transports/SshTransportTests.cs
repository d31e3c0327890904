using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

/// <summary>What only the SSH transport has: a pinned host key, key authentication, secrets inside the channel.</summary>
[Collection(nameof(TestServerHost))]
public sealed class SshTransportTests(TestServerHostFixture fixture)
{
    TestServerHost Host => fixture.Host;

    [Fact]
    public void A_host_whose_key_is_not_pinned_is_sent_nothing_and_its_fingerprint_is_named()
    {
        using var unpinned = new SshTransport(Host.Settings with { HostKeyFingerprint = null });
        var ex = Assert.Throws<AegirException>(() => unpinned.Run(new CommandSpec("touch", ["/srv/unpinned-ran"])));
        Assert.Equal("HostKeyNotPinned", ex.ErrorId);
        Assert.Contains(Host.Fingerprint, ex.Message);
        Assert.Contains("-TrustHostKey", ex.Message);
        Assert.Equal("", Host.Run("sh", "-c", "ls /srv/unpinned-ran 2>/dev/null || true"));
    }

    [Fact]
    public void Quick_requests_share_a_few_serving_channels_which_outlive_failures_and_concurrency()
    {
        using var ssh = new SshTransport(Host.Settings);
        // Many requests, some failing, from eight callers at once: each answer is its own.
        var answers = new string[64];
        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var result = ssh.Run(new CommandSpec("sh", ["-c", $"echo out{i}; echo err{i} >&2; exit {i % 3}"]) { StandardInput = System.Text.Encoding.UTF8.GetBytes($"in{i}") });
            answers[i] = $"{result.ExitCode}|{result.StandardOutput.Trim()}|{result.StandardError.Trim()}";
        });
        Assert.Equal(Enumerable.Range(0, 64).Select(i => $"{i % 3}|out{i}|err{i}"), answers);
        Assert.Equal(PathKind.Directory, ssh.Kind("/srv"));
        // The helpers serving them are a few channels, not one per request.
        Assert.InRange(ssh.SessionCount, 1, 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(400)]
    public void A_command_ends_with_its_connection_and_is_never_sent_again(int minutes)
    {
        // One minute goes through a serving channel, four hundred through a channel of its own.
        using var ssh = new SshTransport(Host.Settings);
        var mark = $"/srv/ran-{Guid.NewGuid():N}";
        var running = Task.Run(() => ssh.Run(new CommandSpec("sh", ["-c", $"echo x >> {mark}; exec sleep 3{minutes}1"]) { Timeout = TimeSpan.FromMinutes(minutes) }));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Host.Run("sh", "-c", $"pgrep -fx 'sleep 3{minutes}1' || true").Trim().Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(100);
        Host.DropSessions();
        var ex = Assert.ThrowsAny<Exception>(() => running.GetAwaiter().GetResult());
        Assert.Contains("SSH", ex.Message, StringComparison.OrdinalIgnoreCase);
        clock.Restart();
        while (Host.Run("sh", "-c", $"pgrep -fx 'sleep 3{minutes}1' || true").Trim().Length > 0 && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(100);
        Assert.Equal("", Host.Run("sh", "-c", $"pgrep -fx 'sleep 3{minutes}1' || true").Trim());
        Assert.Equal("x", Host.Run("cat", mark).Trim());
    }

    [Fact]
    public void A_changed_host_key_is_refused_naming_both_fingerprints()
    {
        var other = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        using var changed = new SshTransport(Host.Settings with { HostKeyFingerprint = other });
        var ex = Assert.Throws<AegirException>(() => changed.Kind("/srv"));
        Assert.Equal("HostKeyChanged", ex.ErrorId);
        Assert.Contains(Host.Fingerprint, ex.Message);
        Assert.Contains(SshSettings.Fingerprint(other), ex.Message);
    }

    [Fact]
    public void A_key_the_server_does_not_take_fails_naming_the_server()
    {
        var key = Path.Combine(Host.Dir, "stranger");
        if (!File.Exists(key)) System.Diagnostics.Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])!.WaitForExit();
        using var stranger = new SshTransport(Host.Settings with { KeyPath = key });
        var ex = Assert.Throws<AegirException>(() => stranger.Kind("/srv"));
        Assert.Equal("ServerUnreachable", ex.ErrorId);
        Assert.Contains(Host.Address, ex.Message);
    }

    [Fact]
    public async Task Secrets_never_appear_in_any_process_list_on_the_server()
    {
        using var ssh = new SshTransport(Host.Settings);
        var secret = "Pw-" + Guid.NewGuid().ToString("N");
        var run = Task.Run(() => ssh.Run(new CommandSpec("sh", ["-c", "sleep 6; printf %s \"$DB_PASSWORD\" | wc -c"])
        { Environment = new Dictionary<string, string> { ["DB_PASSWORD"] = secret } }));
        var write = Task.Run(() => ssh.WriteFile("/srv/secret.php", System.Text.Encoding.UTF8.GetBytes($"<?php $pw = '{secret}';"), (UnixFileMode)0b110_000_000));
        var seen = new List<string>();
        while (!run.IsCompleted)
        {
            seen.Add(Host.Run("ps", "-eo", "args"));
            await Task.Delay(100);
        }
        Assert.Equal($"{secret.Length}", (await run).StandardOutput.Trim());
        await write;
        // Sampled while it ran (a busy machine takes a while for each sample).
        Assert.True(seen.Count >= 2, $"{seen.Count} samples");
        Assert.DoesNotContain(seen, list => list.Contains(secret, StringComparison.Ordinal));
        Assert.Contains(seen, list => list.Contains("perl -e", StringComparison.Ordinal));
    }

    /// <summary>A transport to this host whose every request meets <paramref name="script"/> instead of the helper (a key forced to run it).</summary>
    SshTransport Hostile(string name, string script)
    {
        var key = Path.Combine(Host.Dir, $"hostile-{name}");
        if (!File.Exists(key)) System.Diagnostics.Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])!.WaitForExit();
        File.WriteAllText(Path.Combine(Host.Dir, "fs", "srv", $"hostile-{name}.sh"), script);
        var keys = Path.Combine(Host.Dir, "fs", "root", ".ssh", "authorized_keys");
        var line = $"command=\"sh /srv/hostile-{name}.sh\" {File.ReadAllText(key + ".pub").Trim()}";
        if (!File.ReadAllText(keys).Contains(line, StringComparison.Ordinal)) File.AppendAllText(keys, line + "\n");
        return new SshTransport(Host.Settings with { KeyPath = key });
    }

    [Fact]
    public void A_server_that_answers_nonsense_fails_the_request_clearly_and_is_held_to_a_bound()
    {
        // An answer claiming 4 GiB is refused before anything of it is held.
        using (var huge = Hostile("huge", "printf '\\000\\000\\000\\000\\377\\377\\377\\377'; cat >/dev/null\n"))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var ex = Assert.Throws<AegirException>(() => huge.Kind("/srv"));
            Assert.Equal("ServerUnreachable", ex.ErrorId);
            Assert.Contains("more than", ex.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        }
        // A helper that ends without a word fails the request; it is not taken for an empty answer.
        using (var mute = Hostile("mute", "exit 0\n"))
            Assert.Equal("ServerUnreachable", Assert.Throws<AegirException>(() => mute.Kind("/srv")).ErrorId);
        // A page that is no HTTP is said to be so.
        using var garbage = Hostile("garbage", "printf '\\000\\000\\000\\000\\000\\000\\000\\007garbage\\000\\000\\000\\000'; cat >/dev/null\n");
        Assert.Contains("answered no HTTP", Assert.ThrowsAny<IOException>(() => garbage.Fetch("127.0.0.1", 80, "x.test", "/")).Message);
    }

    [Fact]
    public void A_request_on_a_cut_link_fails_within_the_idle_timeout_naming_the_server()
    {
        using var ssh = new SshTransport(Host.Settings with { Server = "server_cut", KeepAlive = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromSeconds(3) });
        Assert.Equal(PathKind.Directory, ssh.Kind("/srv"));
        var running = Task.Run(() => ssh.Run(new CommandSpec("sleep", ["47"]) { Timeout = TimeSpan.FromMinutes(5) }));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Host.Run("sh", "-c", "pgrep -fx 'sleep 47' || true").Trim().Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(100);
        Host.Link(up: false);
        try
        {
            Assert.True(((IAsyncResult)running).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(15)), "the request still waits on a link cut 15 s ago");
            var ex = Assert.ThrowsAny<Exception>(() => running.GetAwaiter().GetResult());
            Assert.Contains("'@server_cut'", ex.Message);
        }
        finally { Host.Link(up: true); }
        Assert.Equal(PathKind.Directory, ssh.Kind("/srv"));
    }

    [Fact]
    public void A_page_over_HTTPS_is_asked_from_here_through_the_SSH_connection_pinned_to_its_certificate()
    {
        var (certificate, key) = Services.Certificates.SelfSignedCertificate.Make(["tls.test"]);
        var thumbprint = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificate).GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var folder = Path.Combine(Host.Dir, "fs", "srv", "tls-check");   // the host's /srv/tls-check
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate);
        File.WriteAllText(Path.Combine(folder, "key.pem"), key);
        // A TLS server on the host's loopback alone: this machine reaches it only through the SSH connection.
        Host.Run("sh", "-c", "setsid openssl s_server -quiet -accept 127.0.0.1:8443 -cert /srv/tls-check/cert.pem -key /srv/tls-check/key.pem -www </dev/null >/dev/null 2>&1 & echo $! > /srv/tls-check/pid; "
                             + "for i in $(seq 50); do ss -ltn | grep -q '127.0.0.1:8443 ' && exit 0; sleep 0.1; done; exit 1");
        // A second sshd there that forwards nothing.
        Host.Run("/usr/sbin/sshd", "-o", $"ListenAddress={Host.Address}:2222", "-o", "AllowTcpForwarding=no", "-o", "PermitRootLogin=prohibit-password",
            "-o", "PasswordAuthentication=no", "-o", "HostKey=/etc/ssh/ssh_host_ed25519_key", "-o", "PidFile=/run/sshd-noforward.pid");
        try
        {
            using var ssh = new SshTransport(Host.Settings with { Server = "server_tls" });
            for (int i = 0; i < 2; i++)   // each request opens its own forwarded port and closes it after
            {
                var answer = ssh.Fetch("127.0.0.1", 8443, "tls.test", "/", thumbprint);
                Assert.Equal(200, answer.Status);
                Assert.Contains("s_server", answer.Body);
            }
            var wrong = Assert.ThrowsAny<IOException>(() => ssh.Fetch("127.0.0.1", 8443, "tls.test", "/", new string('A', 64)));
            Assert.Contains($"did not show the site's certificate {new string('A', 64)}", wrong.Message);
            var closed = Assert.ThrowsAny<IOException>(() => ssh.Fetch("127.0.0.1", 8444, "tls.test", "/", thumbprint));
            Assert.Contains("127.0.0.1:8444 does not answer either", closed.Message);
            // Commands still go over the same connection.
            Assert.Equal(PathKind.Directory, ssh.Kind("/srv"));

            using var refusing = new SshTransport(Host.Settings with { Server = "server_tls", Port = 2222 });
            var refused = Assert.Throws<AegirException>(() => refusing.Fetch("127.0.0.1", 8443, "tls.test", "/", thumbprint));
            Assert.Equal("SshForwardingRefused", refused.ErrorId);
            Assert.Contains("'@server_tls'", refused.Message);
            Assert.Contains("AllowTcpForwarding yes", refused.Message);
        }
        finally { Host.Run("sh", "-c", "kill $(cat /srv/tls-check/pid) $(cat /run/sshd-noforward.pid) 2>/dev/null; rm -rf /srv/tls-check; true"); }
    }
}
