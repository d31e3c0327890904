using System.Text.Json;
using System.Text.Json.Nodes;
using Aegir.Core.Queues.Sealing;
using Aegir.Core.Tasks;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// A task for the worker on its server: self-contained, as the worker has no records of its own to read. Its id,
/// type, target and server travel in clear (for routing and logs); everything else (parameters, contexts with their
/// passwords, the key to answer with) is <see cref="Payload"/>, sealed for that server's worker key and bound to the task.
/// </summary>
/// Signed with the control machine's key: anyone may seal for a public key, only the control machine signs.
public sealed record RemoteRequest(string TaskId, string Type, string Target, string Server, SealedSecret Payload, string Signature = "")
{
    public static string Binding(string taskId) => $"{taskId}/payload";

    /// <summary>What the signature covers: every field but itself.</summary>
    public byte[] Signed() => System.Text.Encoding.UTF8.GetBytes(string.Join('\n', TaskId, Type, Target, Server, Payload.Kid, Payload.Key, Payload.Nonce, Payload.Tag, Payload.Data));

    public RemoteRequest SignedBy(WorkerKey control) => this with { Signature = control.Sign(Signed()) };
}

/// <summary>What the sealed payload holds.</summary>
/// <param name="Locks">What the task locks besides its target (the contexts it may change).</param>
/// <param name="ReplyKey">A one-off public key (SubjectPublicKeyInfo, base64) the worker seals the changed contexts for.</param>
public sealed record RemotePayload(JsonObject Parameters, IReadOnlyList<string> Locks, SortedDictionary<string, string> Contexts, string ReplyKey, DateTimeOffset Created);

/// <summary>
/// What a server's worker sends back while it runs a task: log entries as they come (masked as in its record), then
/// its outcome, sealed for the one-off reply key only the dispatcher and that worker know: nobody else who can publish
/// on the broker can make a task end, or change a record.
/// </summary>
public sealed record RemoteEvent(string TaskId, TaskLogEntry? Entry = null, SealedSecret? Outcome = null);

/// <summary>How the task ended on the server, with the contexts it changed (name to file text, null for one removed).</summary>
public sealed record RemoteOutcome(AegirTaskStatus Status, string? Error, string? ErrorId, string Worker, int Tries, SortedDictionary<string, string?> Changes)
{
    public static string Binding(string taskId) => $"{taskId}/outcome";
}

static class RemoteJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Read<T>(ReadOnlySpan<byte> body) => JsonSerializer.Deserialize<T>(body, Options) ?? throw new JsonException($"an empty {typeof(T).Name}");
}
