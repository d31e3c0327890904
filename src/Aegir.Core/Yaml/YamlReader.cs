using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Aegir.Core.Yaml;

/// <summary>Reads one YAML document into <see cref="YamlNode"/>s with the low-level parser (fast, no reflection).</summary>
public static class YamlReader
{
    /// <exception cref="YamlFormatException">The text is not a single YAML mapping this store can read.</exception>
    public static YamlMap ReadMapping(string text)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
                throw new YamlFormatException(1, "the file is empty");
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, 0);
            if (root is not YamlMap map)
                throw new YamlFormatException(root.Line, "the file must hold a mapping of 'key: value' lines");
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
                throw new YamlFormatException((int)(parser.Current?.Start.Line ?? 0), "the file holds more than one YAML document");
            return map;
        }
        catch (YamlException ex)
        {
            throw new YamlFormatException((int)ex.Start.Line, "it is not valid YAML (" + FirstLine(ex.Message) + ")", ex);
        }
    }

    static YamlNode ReadNode(IParser parser, int depth)
    {
        if (depth > 16) throw new YamlFormatException((int)(parser.Current?.Start.Line ?? 0), "it nests deeper than a context ever does");
        var ev = parser.Current ?? throw new YamlFormatException(0, "the file ends too early");
        int line = (int)ev.Start.Line;
        switch (ev)
        {
            case AnchorAlias:
                throw new YamlFormatException(line, "YAML aliases (*name) are not allowed in context files");
            case Scalar s:
                parser.MoveNext();
                if (!s.Anchor.IsEmpty) throw new YamlFormatException(line, "YAML anchors (&name) are not allowed in context files");
                bool isNull = s.Style == ScalarStyle.Plain && s.Value is "" or "~" or "null" or "Null" or "NULL";
                return new YamlScalar(isNull ? null : s.Value, line);
            case SequenceStart:
                parser.MoveNext();
                var items = new List<YamlNode>();
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, depth + 1));
                return new YamlSequence(items, line);
            case MappingStart:
                parser.MoveNext();
                var entries = new List<KeyValuePair<string, YamlNode>>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyNode = ReadNode(parser, depth + 1);
                    if (keyNode is not YamlScalar { Value: { } key })
                        throw new YamlFormatException(keyNode.Line, "a key must be a plain word");
                    if (entries.Any(e => e.Key == key))
                        throw new YamlFormatException(keyNode.Line, $"the key '{key}' appears twice");
                    entries.Add(new(key, ReadNode(parser, depth + 1)));
                }
                return new YamlMap(entries, line);
            default:
                throw new YamlFormatException(line, $"unexpected YAML element {ev.GetType().Name}");
        }
    }

    static string FirstLine(string s)
    {
        int i = s.IndexOf('\n');
        return (i < 0 ? s : s[..i]).Trim();
    }
}

