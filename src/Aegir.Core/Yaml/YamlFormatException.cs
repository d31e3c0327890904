using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Aegir.Core.Yaml;

/// <summary>A YAML text that is not a context document; <see cref="LineNumber"/> is 1-based (0 when unknown).</summary>
public sealed class YamlFormatException(int line, string problem, Exception? inner = null) : Exception(problem, inner)
{
    public int LineNumber { get; } = line;
}
