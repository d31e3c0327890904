using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Aegir.Core.IO;

namespace Aegir.Core.Transport;

/// <summary>
/// A client of ssh-agent's protocol (draft-miller-ssh-agent) over its Unix socket: the keys the agent holds, and
/// signatures it makes with them; the private keys never leave it. Only an agent of this user's is spoken to: the
/// socket itself (never a link to one), owned by this user, connectable by no one else, and the process answering on
/// it running as this user too (its peer credentials), whatever took the socket's place in between.
/// </summary>
public sealed class SshAgent(string socket)
{
    const byte Failure = 5, RequestIdentities = 11, IdentitiesAnswer = 12, SignRequest = 13, SignResponse = 14;

    /// <summary>A sign request's flags for an RSA key: rsa-sha2-256 or rsa-sha2-512 instead of SHA-1's ssh-rsa.</summary>
    public const uint RsaSha256 = 2, RsaSha512 = 4;

    // OpenSSH's own client bounds an answer so; a key added with ssh-add -c waits for its owner to confirm.
    const int MaxAnswer = 256 * 1024, MaxKeys = 1024;
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>The keys the agent holds, in its order (ssh-add -l's).</summary>
    public IReadOnlyList<SshAgentKey> Keys()
    {
        var answer = new Reader(Ask([RequestIdentities]));
        if (answer.Byte() != IdentitiesAnswer) throw new SshAgentException("did not answer a request for its keys");
        var count = answer.UInt32();
        if (count > MaxKeys) throw new SshAgentException($"answered that it holds {count} keys");
        var keys = new List<SshAgentKey>();
        for (uint i = 0; i < count; i++) keys.Add(new SshAgentKey(answer.String(), Encoding.UTF8.GetString(answer.String())));
        return keys;
    }

    /// <summary>The signature blob (algorithm name and signature) of <paramref name="data"/> by <paramref name="key"/>.</summary>
    public byte[] Sign(SshAgentKey key, byte[] data, uint flags)
    {
        var request = new MemoryStream();
        request.WriteByte(SignRequest);
        Put(request, key.Blob);
        Put(request, data);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, flags);
        request.Write(word);
        var answer = new Reader(Ask(request.ToArray()));
        var type = answer.Byte();
        if (type == Failure) throw new SshAgentException($"refused to sign with its key {key} (a key added with ssh-add -c waits for a confirmation, and one no longer held cannot sign)");
        if (type != SignResponse) throw new SshAgentException($"answered a sign request with message {type}");
        return answer.String();
    }

    byte[] Ask(byte[] message)
    {
        using var connection = Connect();
        var frame = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)message.Length);
        message.CopyTo(frame, 4);
        try
        {
            connection.Send(frame);
            var length = BinaryPrimitives.ReadUInt32BigEndian(Receive(connection, 4));
            if (length == 0 || length > MaxAnswer) throw new SshAgentException($"answered with {length} bytes");
            return Receive(connection, (int)length);
        }
        catch (SocketException ex)
        {
            throw new SshAgentException(ex.SocketErrorCode == SocketError.TimedOut ? $"did not answer within {Wait.TotalSeconds} s" : $"dropped the connection ({ex.Message})", ex);
        }
    }

    static byte[] Receive(Socket connection, int count)
    {
        var buffer = new byte[count];
        for (int read = 0; read < count;)
        {
            int n = connection.Receive(buffer, read, count - read, SocketFlags.None);
            if (n == 0) throw new SshAgentException("closed the connection before it answered");
            read += n;
        }
        return buffer;
    }

    Socket Connect()
    {
        var status = Posix.Stat(socket) ?? throw new SshAgentException("is not there: no socket is at that path (an agent started again listens on a new one)");
        if (status.IsLink) throw new SshAgentException($"is a link (to {new FileInfo(socket).LinkTarget}), and links are never followed");
        if (!status.IsSocket) throw new SshAgentException($"is {(status.IsDirectory ? "a folder" : "a file")}, not a socket");
        uint me = (uint)Posix.EffectiveUserId;
        if (status.Uid != me) throw new SshAgentException($"belongs to {Posix.UserName(status.Uid)}, and only an agent of this user's ({Posix.UserName(me)}) is used");
        if ((status.Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0) throw new SshAgentException("lets others than its owner connect to it (ssh-agent makes its socket 0600)");
        var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        { ReceiveTimeout = (int)Wait.TotalMilliseconds, SendTimeout = (int)Wait.TotalMilliseconds };
        try
        {
            connection.Connect(new UnixDomainSocketEndPoint(socket));
            // The process behind the socket, whatever replaced it since it was looked at: struct ucred is pid, uid, gid.
            var peer = new byte[12];
            connection.GetRawSocketOption(1 /* SOL_SOCKET */, 17 /* SO_PEERCRED */, peer);
            var uid = BinaryPrimitives.ReadUInt32LittleEndian(peer.AsSpan(4));
            if (uid != me) throw new SshAgentException($"is answered by a process of {Posix.UserName(uid)}'s, not of this user's ({Posix.UserName(me)})");
            return connection;
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            connection.Dispose();
            throw new SshAgentException(ex is SocketException s && s.SocketErrorCode == SocketError.ConnectionRefused
                ? "is not answered: no agent listens on it any more" : $"cannot be connected to ({ex.Message})", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    static void Put(Stream stream, byte[] bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }

    /// <summary>An answer read field by field, every length checked against what is there.</summary>
    sealed class Reader(byte[] data)
    {
        int _at;

        public byte Byte() => Take(1)[0];

        public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

        public byte[] String() => Take(checked((int)Math.Min(UInt32(), int.MaxValue))).ToArray();

        ReadOnlySpan<byte> Take(int count)
        {
            if (count > data.Length - _at) throw new SshAgentException("answered with a message cut short");
            var span = data.AsSpan(_at, count);
            _at += count;
            return span;
        }
    }
}
