using Aegir.Core.Transport;

namespace Aegir.Core.Machine;

/// <summary>A background server process known by its pid file.</summary>
internal static class Daemon
{
    public static int? RunningPid(string pidFile)
    {
        try
        {
            // The first line: PostgreSQL's postmaster.pid holds more after it.
            var text = File.ReadAllText(pidFile).Split('\n')[0].Trim();
            if (!int.TryParse(text, out var pid)) return null;
            return Directory.Exists($"/proc/{pid}") ? pid : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>Sends SIGTERM (or the given signal) and waits for the process to go.</summary>
    public static void Stop(string pidFile, string signal = "TERM", int waitMs = 15000)
    {
        if (RunningPid(pidFile) is not { } pid) return;
        new LocalTransport().Run(new CommandSpec("kill", ["-" + signal, pid.ToString()]));
        var deadline = DateTime.UtcNow.AddMilliseconds(waitMs);
        while (Directory.Exists($"/proc/{pid}") && !IsZombie(pid) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        if (Directory.Exists($"/proc/{pid}") && !IsZombie(pid))
            new LocalTransport().Run(new CommandSpec("kill", ["-KILL", pid.ToString()]));
        try { File.Delete(pidFile); } catch (IOException) { }
    }

    static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z"; }
        catch (IOException) { return false; }
    }

    /// <summary>Polls until <paramref name="ready"/> is true; false when time ran out.</summary>
    public static bool WaitFor(Func<bool> ready, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ready()) return true;
            Thread.Sleep(100);
        }
        return ready();
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
