using System.Text.Json.Serialization;

namespace Aegir.Core.Tasks;

/// <summary>A task record's form, generated at build: a new session's first listing reads records without first building a serializer by reflection.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AegirTask))]
internal sealed partial class TaskJson : JsonSerializerContext;
