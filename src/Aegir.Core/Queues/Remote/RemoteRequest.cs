using Aegir.Core.Queues.Sealing;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// A task for the worker on its server: self-contained, as the worker has no records of its own to read. Its id,
/// type, target and server travel in clear (for routing and logs); everything else (parameters, contexts with their
/// passwords, the key to answer with) is <see cref="Payload"/>, sealed for that server's worker key and bound to the task.
/// Signed with the control machine's key: anyone may seal for a public key, only the control machine signs.
/// </summary>
public sealed record RemoteRequest(string TaskId, string Type, string Target, string Server, SealedSecret Payload, string Signature = "")
{
    public static string Binding(string taskId) => $"{taskId}/payload";

    /// <summary>What the signature covers: every field but itself.</summary>
    public byte[] Signed() => System.Text.Encoding.UTF8.GetBytes(string.Join('\n', TaskId, Type, Target, Server, Payload.Kid, Payload.Key, Payload.Nonce, Payload.Tag, Payload.Data));

    public RemoteRequest SignedBy(WorkerKey control) => this with { Signature = control.Sign(Signed()) };
}
