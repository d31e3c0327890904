using System.Text.Json;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Queues.Broker;

/// <summary>
/// The broker the queue uses, with its password: from AEGIR_BROKER (and AEGIR_BROKER_PASSWORD) when set, for CI and
/// services; else from <c>$AEGIR_HOME/queue.json</c>, a 0600 file as the contexts that hold database passwords are.
/// No broker set: the file queue. The password is never in <see cref="ToString"/>, a log or a process's arguments.
/// </summary>
public sealed class BrokerSettings
{
    public const string UrlVariable = "AEGIR_BROKER";
    public const string PasswordVariable = "AEGIR_BROKER_PASSWORD";
    const string FileName = "queue.json";

    BrokerSettings(BrokerAddress address, string password, string source)
    {
        Address = address;
        Password = password;
        Source = source;
    }

    public BrokerAddress Address { get; }
    internal string Password { get; }
    /// <summary>Where the setting came from: the environment, or the home's queue.json.</summary>
    public string Source { get; }

    public static BrokerSettings Of(BrokerAddress address, string password) => new(address, password, "given");

    /// <summary>The broker in force for <paramref name="home"/>, or null for the file queue.</summary>
    public static BrokerSettings? Read(string home)
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrEmpty(url))
        {
            var address = BrokerAddress.Parse("$env:" + UrlVariable, url);
            var password = Environment.GetEnvironmentVariable(PasswordVariable);
            if (string.IsNullOrEmpty(password))
                throw ErrorCatalog.Missing("$env:" + PasswordVariable, $"$env:{UrlVariable} names a broker; give its password in $env:{PasswordVariable}, or clear $env:{UrlVariable} to use the queue set with Set-AegirQueue.");
            return new BrokerSettings(address, password, "environment");
        }
        var path = PathIn(home);
        if (!File.Exists(path)) return null;
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path)) ?? throw new JsonException("empty");
            return new BrokerSettings(BrokerAddress.Parse(path, stored.Broker), stored.Password ?? "", path);
        }
        catch (JsonException ex)
        {
            throw ErrorCatalog.InvalidValue(path, null, $"it is not the module's queue setting ({ex.Message})", "Set the broker again with Set-AegirQueue -Broker, or go back to the file queue with Set-AegirQueue -File.");
        }
    }

    /// <summary>Keeps the broker for <paramref name="home"/>: written whole (a private temp file renamed), owner-only.</summary>
    public void Save(string home)
    {
        AtomicFile.EnsureHome(home);
        AtomicFile.WriteAllText(PathIn(home), JsonSerializer.Serialize(new Stored(Address.ToString(), Password)));
    }

    /// <summary>Back to the file queue.</summary>
    public static void Clear(string home) => File.Delete(PathIn(home));

    public static string PathIn(string home) => Path.Combine(home, FileName);

    public override string ToString() => Address.ToString();

    sealed record Stored(string Broker, string? Password);
}
