namespace Aegir.Core.Platforms;

/// <summary>
/// One statement of a PHP data file: an assignment of a literal (or, only as a whole value, of another variable) to a
/// variable, or an include of a literal path (<see cref="Include"/> set, <see cref="Target"/> null).
/// </summary>
/// <param name="Value">string, long, double, bool, null, <see cref="PhpArray"/>, or <see cref="PhpReference"/>.</param>
public sealed record PhpStatement(int Line, PhpReference? Target, object? Value, string? Include = null);
