namespace Aegir.Core.Tasks;

public sealed record TaskLogEntry(DateTimeOffset Time, [property: Newtonsoft.Json.JsonIgnore] TaskLogLevel Level, string Message)
{
    public override string ToString() => $"{Time.ToLocalTime():HH:mm:ss} {Level,-7} {Message}";
}
