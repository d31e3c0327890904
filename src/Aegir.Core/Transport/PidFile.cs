using System.Text;

namespace Aegir.Core.Transport;

/// <summary>A daemon's pid file on a server, read with the name of the process it names (its /proc comm).</summary>
public static class PidFile
{
    /// <summary>The pid the file names and that process's name (null when it cannot be read); null when the file names no pid.</summary>
    public static (int Pid, string? Program)? Read(ITransport transport, string file)
    {
        if (transport.ReadFile(file) is not { } bytes) return null;
        if (!int.TryParse(Encoding.ASCII.GetString(bytes).Trim(), out var pid) || pid <= 0) return null;
        var program = transport.ReadFile($"/proc/{pid}/comm") is { } comm ? Encoding.ASCII.GetString(comm).Trim() : null;
        return (pid, program);
    }
}
