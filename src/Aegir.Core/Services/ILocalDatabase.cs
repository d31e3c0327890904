namespace Aegir.Core.Services;

/// <summary>
/// A private instance of one database service type for Start-AegirLocalServer: its data in a folder of
/// <c>$AEGIR_HOME/local/&lt;server&gt;</c>, listening on a 127.0.0.1 port, its superuser reached only as a system user.
/// </summary>
public interface ILocalDatabase
{
    /// <summary>The Debian packages it needs, PHP's driver for it among them.</summary>
    IReadOnlyList<string> Packages { get; }

    bool IsRunning { get; }

    /// <summary>What starting it does, for -WhatIf.</summary>
    string Description { get; }

    /// <summary>
    /// Starts it (making its data folder the first time) and an admin account with <paramref name="adminPassword"/>
    /// (a new one when null); returns the settings the server's db service gets: host, port, admin_user, admin_password.
    /// </summary>
    IReadOnlyDictionary<string, string> Start(int port, string? adminPassword, Action<string> log);

    /// <summary>Stops it; its data stays.</summary>
    void Stop();
}
