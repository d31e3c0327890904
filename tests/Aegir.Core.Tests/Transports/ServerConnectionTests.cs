using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

/// <summary>A server's connection as its record keeps it, and how the factory chooses and shares transports.</summary>
public class ServerConnectionTests
{
    const string Pin = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    static AegirServer Remote()
    {
        var server = new AegirServer("server_web1") { RemoteHost = "192.0.2.10", AegirRoot = "/srv/aegir" };
        server.Connection.ChangeType(SshSettings.Type);
        server.Connection.Set(SshSettings.KeyPathSetting, "/root/.ssh/aegir_web1");
        server.Connection.Set(SshSettings.KeyPassphraseSetting, "secret phrase");
        server.Connection.Set(SshSettings.HostKeySetting, Pin[7..]);
        return server;
    }

    [Theory]
    [InlineData("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s")]
    [InlineData("uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s")]
    [InlineData(" SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s= ")]
    public void A_fingerprint_is_kept_as_ssh_keygen_prints_it(string given)
        => Assert.Equal(Pin, Validate.HostKeyFingerprint("HostKeyFingerprint", given));

    [Theory]
    [InlineData("")]
    [InlineData("SHA256:short")]
    [InlineData("MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48")]
    [InlineData("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s\nPermitRootLogin yes")]
    [InlineData("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2!")]
    public void Anything_else_is_refused_with_the_command_that_prints_one(string given)
    {
        var ex = Assert.Throws<AegirException>(() => Validate.HostKeyFingerprint("HostKeyFingerprint", given));
        Assert.Contains("ssh-keygen -lf", ex.Message);
    }

    [Fact]
    public void The_record_keeps_the_connection_and_folder_and_shows_no_passphrase()
    {
        var server = Remote();
        var yaml = ContextSerializer.Serialize(server);
        var back = (AegirServer)ContextSerializer.Parse("server_web1.yml", "server_web1", yaml);
        Assert.Equal("/srv/aegir", back.AegirRoot);
        Assert.Equal("ssh", back.Connection.Type);
        Assert.Equal(Pin, back.Connection.Get(SshSettings.HostKeySetting));
        Assert.Equal("22", back.Connection.Get(SshSettings.PortSetting));
        Assert.Equal(AegirService.Mask, back.Connection.Settings[SshSettings.KeyPassphraseSetting]);
        Assert.Null(back.Connection.Get(SshSettings.KeyPassphraseSetting));
        var settings = SshSettings.Of(back);
        Assert.Equal(("192.0.2.10", 22, "root", "/root/.ssh/aegir_web1", "secret phrase", Pin), (settings.Host, settings.Port, settings.User, settings.KeyPath, settings.KeyPassphrase, settings.HostKeyFingerprint));
        Assert.Equal("'@server_web1' (192.0.2.10)", settings.Where);
    }

    [Fact]
    public void A_record_logging_in_with_an_agent_keeps_its_socket_and_no_key_file()
    {
        var server = Remote();
        server.Connection.Set(SshSettings.KeyPathSetting, null);
        server.Connection.Set(SshSettings.KeyPassphraseSetting, null);
        server.Connection.Set(SshSettings.AgentSocketSetting, "/run/user/0/aegir-agent.sock");
        var back = (AegirServer)ContextSerializer.Parse("server_web1.yml", "server_web1", ContextSerializer.Serialize(server));
        var settings = SshSettings.Of(back);
        Assert.Equal(("/run/user/0/aegir-agent.sock", null, null), (settings.AgentSocket, settings.KeyPath, settings.KeyPassphrase));
        Assert.Contains("-o IdentityAgent=/run/user/0/aegir-agent.sock", settings.Login);
    }

    [Fact]
    public void A_record_with_both_a_key_file_and_an_agent_or_neither_is_refused_naming_the_fix()
    {
        var both = Remote();
        both.Connection.Set(SshSettings.AgentSocketSetting, "/run/user/0/aegir-agent.sock");
        var ex = Assert.Throws<AegirException>(() => SshSettings.Of(both));
        Assert.Equal("SshKeyAndAgent", ex.ErrorId);
        Assert.Contains("-SshKeyPath", ex.Message);
        Assert.Contains("-SshAgentSocket", ex.Message);

        var neither = Remote();
        neither.Connection.Set(SshSettings.KeyPathSetting, null);
        var missing = Assert.Throws<AegirException>(() => TransportFactory.Default.Open(neither));
        Assert.Equal("MissingValue", missing.ErrorId);
        Assert.Contains("Set-AegirServer server_web1 -SshKeyPath <file>", missing.Message);
        Assert.Contains("Set-AegirServer server_web1 -SshAgentSocket $env:SSH_AUTH_SOCK", missing.Message);
    }

    [Fact]
    public void A_record_without_a_folder_or_transport_reads_as_before()
    {
        var server = new AegirServer("server_old") { RemoteHost = "192.0.2.11" };
        var yaml = ContextSerializer.Serialize(server).Replace("  transport:\n    type: none\n", "");
        var back = (AegirServer)ContextSerializer.Parse("server_old.yml", "server_old", yaml);
        Assert.Null(back.AegirRoot);
        Assert.True(back.Connection.IsNull);
    }

    [Fact]
    public void Another_machine_without_ssh_settings_is_refused_with_the_settings_to_give()
    {
        var server = new AegirServer("server_web9") { RemoteHost = "192.0.2.9" };
        var ex = Assert.Throws<AegirException>(() => TransportFactory.Default.Open(server));
        Assert.Equal(ErrorIds.ServerUnreachable, ex.ErrorId);
        Assert.Contains("Set-AegirServer server_web9 -SshUser root -SshKeyPath", ex.Message);
    }

    [Fact]
    public void This_machine_is_never_reached_over_ssh_whatever_its_record_says()
    {
        var server = Remote();
        server.RemoteHost = "127.0.0.1";
        using var transport = TransportFactory.Default.Open(server);
        Assert.IsType<LocalTransport>(transport);
    }

    [Fact]
    public void The_tasks_of_one_process_share_one_connection_per_server_and_each_lets_go_once()
    {
        var server = Remote();
        var first = (SharedTransport)TransportFactory.Default.Open(server);
        var second = (SharedTransport)TransportFactory.Default.Open(server);
        Assert.Same(first.Inner, second.Inner);
        first.Dispose();
        first.Dispose();
        // The second still holds it: closing idle connections leaves it, and the next task gets the same one.
        TransportFactory.CloseIdle();
        var third = (SharedTransport)TransportFactory.Default.Open(server);
        Assert.Same(second.Inner, third.Inner);
        second.Dispose();
        third.Dispose();
        TransportFactory.CloseIdle();
        using var fourth = (SharedTransport)TransportFactory.Default.Open(server);
        Assert.NotSame(first.Inner, fourth.Inner);

        // Other settings (a new pin) are another connection.
        server.Connection.Set(SshSettings.HostKeySetting, "SHA256:AAAAztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
        using var repinned = (SharedTransport)TransportFactory.Default.Open(server);
        Assert.NotSame(fourth.Inner, repinned.Inner);
    }
}
