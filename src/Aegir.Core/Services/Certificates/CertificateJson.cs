using System.Text.Json.Serialization;

namespace Aegir.Core.Services.Certificates;

/// <summary>certificate.json's form, generated at build: a new session's renewal round reads a thousand without first building a serializer by reflection.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AegirCertificate))]
internal sealed partial class CertificateJson : JsonSerializerContext;
