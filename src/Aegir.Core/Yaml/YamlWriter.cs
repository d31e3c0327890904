using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Aegir.Core.Yaml;

/// <summary>
/// Writes a context document. The emitter chooses quoting, so any string survives a round trip;
/// values that would read back as null or as another scalar type are double-quoted.
/// </summary>
public sealed class YamlWriter
{
    readonly StringWriter _text = new() { NewLine = "\n" };
    readonly Emitter _emitter;

    public YamlWriter()
    {
        _emitter = new Emitter(_text, new EmitterSettings(2, int.MaxValue, false, 1024, false, false, "\n"));
        _emitter.Emit(new StreamStart());
        _emitter.Emit(new DocumentStart(null, null, true));
        _emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
    }

    public YamlWriter Scalar(string key, string? value)
    {
        if (value is null) return this;
        Key(key);
        Value(value);
        return this;
    }

    public YamlWriter Scalar(string key, int value) => Scalar(key, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public YamlWriter Scalar(string key, bool value) => Scalar(key, value ? "true" : "false");

    public YamlWriter List(string key, IReadOnlyCollection<string> values)
    {
        if (values.Count == 0) return this;
        Key(key);
        _emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
        foreach (var v in values) Value(v);
        _emitter.Emit(new SequenceEnd());
        return this;
    }

    public YamlWriter BeginMap(string key)
    {
        Key(key);
        _emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
        return this;
    }

    public YamlWriter EndMap()
    {
        _emitter.Emit(new MappingEnd());
        return this;
    }

    /// <summary>Writes back a node read from a file (an entry this version does not know).</summary>
    public YamlWriter Node(string key, YamlNode node)
    {
        Key(key);
        WriteNode(node);
        return this;
    }

    void WriteNode(YamlNode node)
    {
        switch (node)
        {
            case YamlScalar s when s.Value is null:
                _emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, "~", ScalarStyle.Plain, true, false));
                break;
            case YamlScalar { Value: { } value }:
                Value(value);
                break;
            case YamlSequence seq:
                _emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in seq.Items) WriteNode(item);
                _emitter.Emit(new SequenceEnd());
                break;
            case YamlMap map:
                _emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var e in map.Entries) { Key(e.Key); WriteNode(e.Value); }
                _emitter.Emit(new MappingEnd());
                break;
        }
    }

    public override string ToString()
    {
        _emitter.Emit(new MappingEnd());
        _emitter.Emit(new DocumentEnd(true));
        _emitter.Emit(new StreamEnd());
        return _text.ToString();
    }

    void Key(string key) => _emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, key, ScalarStyle.Plain, true, false));

    void Value(string value)
    {
        // A plain scalar that YAML would read as null must be quoted to stay a string.
        var style = value is "" or "~" or "null" or "Null" or "NULL" ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        _emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, value, style, true, true));
    }
}
