using Renci.SshNet;
using Renci.SshNet.Security;

namespace Aegir.Core.Transport;

/// <summary>
/// One signature algorithm of a key an ssh-agent holds, as SSH.NET's public key login takes a key: the server is
/// offered the public half, and what it asks to be signed is signed by the agent. <paramref name="signed"/> hears of
/// each signature made, so the connection knows which key logged in.
/// </summary>
public sealed class SshAgentKeySource(SshAgent agent, SshAgentKey key, string algorithm, uint flags, Action<SshAgentKey> signed) : IPrivateKeySource
{
    public SshAgentKey Key => key;

    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; } = [new Signer(agent, key, algorithm, flags, signed)];

    /// <summary>
    /// The sources for every key of the agent: each key's best algorithm first, then the others (an RSA key's SHA-256),
    /// so a server that counts attempts meets each key once before any is offered again.
    /// </summary>
    public static IReadOnlyList<SshAgentKeySource> For(SshAgent agent, IEnumerable<SshAgentKey> keys, Action<SshAgentKey> signed)
        => keys.SelectMany(k => k.Signatures.Select((s, rank) => (rank, source: new SshAgentKeySource(agent, k, s.Algorithm, s.Flags, signed))))
            .OrderBy(s => s.rank).Select(s => s.source).ToList();

    sealed class Signer(SshAgent agent, SshAgentKey key, string name, uint flags, Action<SshAgentKey> signed) : HostAlgorithm(name)
    {
        public override byte[] Data => key.Blob;

        public override byte[] Sign(byte[] data)
        {
            var signature = agent.Sign(key, data, flags);
            // An agent too old for the flags signs with SHA-1 instead, which the server would refuse without saying why.
            uint length = signature.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(signature) : 0;
            var name = length <= signature.Length - 4 ? System.Text.Encoding.ASCII.GetString(signature, 4, (int)length) : "";
            if (name != Name)
                throw new SshAgentException($"signed with another algorithm than the {Name} asked of its key {key}");
            signed(key);
            return signature;
        }

        public override bool VerifySignature(byte[] data, byte[] signature)
            => throw new NotSupportedException("a key of an ssh-agent signs logins; it verifies nothing here");
    }
}
