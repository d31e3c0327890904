using Aegir.Core.Contexts;

namespace Aegir.Core.Contexts;

/// <summary>Which commands a command setting may hold: <paramref name="Allows"/> judges its words; <paramref name="Forms"/> says what is allowed.</summary>
public sealed record CommandRule(Func<IReadOnlyList<string>, bool> Allows, string Forms);
