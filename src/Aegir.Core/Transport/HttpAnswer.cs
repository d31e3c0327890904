namespace Aegir.Core.Transport;

/// <summary>What a web server answered to a GET: the status, where a redirect points, and the start of the body.</summary>
public sealed record HttpAnswer(int Status, string? Location, string Body)
{
    public override string ToString() => Location is null ? $"HTTP {Status}" : $"HTTP {Status} to {Location}";
}
