namespace Aegir.Core.Yaml;

/// <summary>A scalar; <see cref="Value"/> is null for a plain null (<c>~</c>, <c>null</c> or nothing).</summary>
public sealed class YamlScalar(string? value, int line) : YamlNode(line)
{
    public string? Value { get; } = value;
}
