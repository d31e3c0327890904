namespace Aegir.Core.Platforms;

/// <summary>A variable a statement names, with its keys: <c>$options['db_name']</c> is ("options", ["db_name"]).</summary>
public sealed record PhpReference(string Variable, IReadOnlyList<object> Keys)
{
    public override string ToString() => "$" + Variable + string.Concat(Keys.Select(k => k is string s ? $"['{s}']" : $"[{k}]"));
}
