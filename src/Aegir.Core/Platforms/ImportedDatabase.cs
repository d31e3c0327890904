using Aegir.Core.Services;
using Aegir.Core.Services.Http;
using Aegir.Core.Transport;

namespace Aegir.Core.Platforms;

/// <summary>A site's database as its own settings name it: the database, the server by host and port, and the account it uses.</summary>
public sealed class ImportedDatabase(string database, string host, int port, string driver, string? user, string? password)
{
    public string Database { get; } = database;
    public string Host { get; } = host;
    public int Port { get; } = port;
    public string Driver { get; } = driver;
    public string? User { get; } = user;
    /// <summary>Read from the site's settings; kept in memory only, never written to a task or a log.</summary>
    internal string? Password { get; } = password;
}
