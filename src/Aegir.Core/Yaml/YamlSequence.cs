namespace Aegir.Core.Yaml;

public sealed class YamlSequence(List<YamlNode> items, int line) : YamlNode(line)
{
    public IReadOnlyList<YamlNode> Items { get; } = items;
}
