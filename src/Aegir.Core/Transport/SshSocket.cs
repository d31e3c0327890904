using System.Net.Sockets;
using System.Reflection;
using Renci.SshNet;

namespace Aegir.Core.Transport;

/// <summary>
/// SSH.NET's keepalives ask for no answer, and TCP keeps sending what the other end never acknowledges for about a
/// quarter of an hour: a link cut mid-task would hold every request that long. The connection's socket is told to
/// give up once what it sent stays unacknowledged for a while (TCP_USER_TIMEOUT; the keepalives make sure something
/// was sent), so the session ends, its requests fail naming the server, and the task is undone.
/// </summary>
internal static class SshSocket
{
    const int IpProtoTcp = 6, TcpUserTimeout = 18;   // netinet/in.h, linux/tcp.h

    /// <summary>Gives the connection of <paramref name="client"/> up after <paramref name="timeout"/> without an answer; false where it cannot.</summary>
    public static bool GiveUpAfter(SshClient client, TimeSpan timeout)
    {
        // SSH.NET keeps its socket to itself: reached through its session (an SSH.NET update that moves it fails the test of this).
        var session = typeof(BaseClient).GetProperty("Session", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(client);
        if (!OperatingSystem.IsLinux() || session?.GetType().GetField("_socket", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(session) is not Socket socket)
            return false;
        socket.SetRawSocketOption(IpProtoTcp, TcpUserTimeout, BitConverter.GetBytes((int)timeout.TotalMilliseconds));
        return true;
    }
}
