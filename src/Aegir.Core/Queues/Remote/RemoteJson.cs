using System.Text.Json;

namespace Aegir.Core.Queues.Remote;

/// <summary>How the messages between the control machine and a server's worker are written.</summary>
static class RemoteJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Read<T>(ReadOnlySpan<byte> body) => JsonSerializer.Deserialize<T>(body, Options) ?? throw new JsonException($"an empty {typeof(T).Name}");
}
