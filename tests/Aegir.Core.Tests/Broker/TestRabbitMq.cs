using System.Diagnostics;
using Aegir.Core.Queues.Broker;

namespace Aegir.Core.Tests.Broker;

/// <summary>
/// A private RabbitMQ node for the broker tests (tests/hosts/rabbitmq.sh: its own folder, cookie, epmd and ports on
/// 127.0.0.1), started on first use and removed with the collection. It needs root (the node runs as the rabbitmq
/// user, and apt-get installs rabbitmq-server when missing): <see cref="Available"/> is false otherwise and the tests
/// return at once.
/// </summary>
public sealed class TestRabbitMq : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "aegir-rmq-" + Guid.NewGuid().ToString("N")[..10]);
    readonly Lazy<BrokerSettings?> _settings;

    public TestRabbitMq() => _settings = new(Up);

    public static bool Available => IO.Posix.IsRoot;

    /// <summary>The node's address and its user's password (the node started on first use).</summary>
    public BrokerSettings Settings => _settings.Value ?? throw new InvalidOperationException("no test broker without root");

    public string Password => File.ReadAllText(Path.Combine(_dir, "password"));

    /// <summary>Stops the node, keeping its data: connections drop as in a broker restart.</summary>
    public void Stop() => Script("stop");

    /// <summary>Starts the stopped node again on the same ports and data.</summary>
    public void Start() => Script("start");

    BrokerSettings? Up()
    {
        if (!Available) return null;
        Machine.Packages.Ensure(["rabbitmq-server"], _ => { });
        var port = Script("up").Trim().Split('\n')[^1];
        var address = BrokerAddress.Parse("test broker", $"amqp://aegir@127.0.0.1:{port}/aegir");
        return BrokerSettings.Of(address, Password);
    }

    string Script(string verb)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(Root(), "tests/hosts/rabbitmq.sh"), verb, _dir }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"rabbitmq.sh {verb} did not finish"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"rabbitmq.sh {verb} failed: {err.Result}");
        return output;
    }

    static string Root()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Aegir.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no Aegir.sln above the tests");
        return root;
    }

    public void Dispose()
    {
        if (_settings.IsValueCreated && Directory.Exists(_dir)) Script("down");
    }
}
