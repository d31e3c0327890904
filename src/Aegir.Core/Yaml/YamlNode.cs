namespace Aegir.Core.Yaml;

/// <summary>A parsed YAML node that remembers its line, so errors can point into the file.</summary>
public abstract class YamlNode
{
    protected YamlNode(int line) => Line = line;
    public int Line { get; }
}
