namespace Aegir.Core.Contexts;

/// <summary>A property of one context that names another (Aegir's is_oid).</summary>
/// <param name="Property">The parameter name users know it by, such as Platform.</param>
/// <param name="Name">The canonical name it holds.</param>
/// <param name="Type">The type the named context must have.</param>
/// <param name="Service">A service the named server must provide, if any.</param>
public sealed record ContextReference(string Property, string Name, ContextType Type, string? Service = null);
