using Aegir.Core.Errors;
using Aegir.Core.Queues;
using Aegir.Core.Queues.Broker;

namespace Aegir.Core.Tests.Broker;

/// <summary>Broker URLs read and checked, and the broker setting kept owner-only; no broker needed.</summary>
public sealed class BrokerAddressTests
{
    [Theory]
    [InlineData("amqp://aegir@mq.example.net/aegir", "amqp://aegir@mq.example.net:5672/aegir", 5672, "aegir")]
    [InlineData("amqps://aegir@mq.example.net", "amqps://aegir@mq.example.net:5671/", 5671, "/")]
    [InlineData("AMQP://w%40x@10.0.0.5:5673/%2Fprod", "amqp://w%40x@10.0.0.5:5673/%2Fprod", 5673, "/prod")]
    [InlineData("amqp://aegir@[::1]:5672/aegir", "amqp://aegir@[::1]:5672/aegir", 5672, "aegir")]
    public void A_broker_url_is_read_with_its_defaults_and_written_back_the_same(string url, string canonical, int port, string vhost)
    {
        var a = BrokerAddress.Parse("-Broker", url);
        Assert.Equal(canonical, a.ToString());
        Assert.Equal(port, a.Port);
        Assert.Equal(vhost, a.VirtualHost);
        Assert.Equal(a, BrokerAddress.Parse("-Broker", a.ToString()));
    }

    [Theory]
    [InlineData("mq.example.net", "not a URL")]
    [InlineData("http://aegir@mq.example.net/", "scheme is 'http'")]
    [InlineData("amqp://mq.example.net/aegir", "names no user")]
    [InlineData("amqp://aegir:s3cret@mq.example.net/aegir", "holds a password")]
    [InlineData("amqp://aegir@mq.example.net/a/b", "more than a virtual host")]
    [InlineData("amqp://aegir@mq.example.net/aegir?heartbeat=5", "query")]
    public void A_bad_broker_url_is_refused_naming_why_and_never_echoing_a_password(string url, string why)
    {
        var ex = Assert.Throws<AegirException>(() => BrokerAddress.Parse("-Broker", url));
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
        Assert.Contains("amqp://user@host:5672/vhost", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_setting_is_kept_owner_only_and_shown_without_its_password()
    {
        using var home = new TestHome();
        Assert.Null(BrokerSettings.Read(home.Path));
        Assert.Equal(QueueSetting.FileKind, QueueSetting.Of(home.Path).Kind);
        BrokerSettings.Of(BrokerAddress.Parse("-Broker", "amqp://aegir@mq.example.net/aegir"), "pw-1234").Save(home.Path);
        var path = BrokerSettings.PathIn(home.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var read = BrokerSettings.Read(home.Path)!;
        Assert.Equal("pw-1234", read.Password);
        Assert.DoesNotContain("pw-1234", read.ToString(), StringComparison.Ordinal);
        var shown = QueueSetting.Of(home.Path);
        Assert.Equal((QueueSetting.BrokerKind, "amqp://aegir@mq.example.net:5672/aegir", path), (shown.Kind, shown.Broker, shown.Source));
        Assert.DoesNotContain("pw-1234", shown.ToString(), StringComparison.Ordinal);
        BrokerSettings.Clear(home.Path);
        Assert.Null(BrokerSettings.Read(home.Path));
    }
}
