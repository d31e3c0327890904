namespace Aegir.Core.Operations.Drift;

/// <summary>
/// One difference between what a server, platform or site should be (its record, and what the module would render)
/// and what is on the machine: a Test-Aegir* cmdlet writes one per difference, and changes nothing.
/// </summary>
public sealed class AegirDrift
{
    /// <summary>The context the difference belongs to (a site's uri, platform_x, server_x).</summary>
    public required string Target { get; init; }
    public required DriftKind Kind { get; init; }
    /// <summary>Where: a path on the server named, or a database account.</summary>
    public required string Where { get; init; }
    public required string Expected { get; init; }
    public required string Found { get; init; }
    /// <summary>What puts it right (Invoke-AegirVerify of the target, mostly).</summary>
    public required string Fix { get; init; }

    public override string ToString() => $"{Kind} {Where}: expected {Expected}, found {Found}";
}
