using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>What a listing found: the contexts that loaded, in name order, and one error per file that did not.</summary>
public sealed record ContextListing(IReadOnlyList<AegirContext> Contexts, IReadOnlyList<AegirException> Errors);
