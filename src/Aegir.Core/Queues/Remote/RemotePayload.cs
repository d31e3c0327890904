using System.Text.Json.Nodes;

namespace Aegir.Core.Queues.Remote;

/// <summary>What the sealed payload holds.</summary>
/// <param name="Locks">What the task locks besides its target (the contexts it may change).</param>
/// <param name="ReplyKey">A one-off public key (SubjectPublicKeyInfo, base64) the worker seals what it sends back for.</param>
/// <param name="Expires">A worker that gets the task later does not start it: its dispatcher gives up on it by then.</param>
public sealed record RemotePayload(JsonObject Parameters, IReadOnlyList<string> Locks, SortedDictionary<string, string> Contexts, string ReplyKey, DateTimeOffset Created, DateTimeOffset Expires);
