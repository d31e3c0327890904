namespace Aegir.Core.Services;

/// <summary>One way a site's database account differs from what verify makes it: where (the account), what it should hold, what it holds.</summary>
/// <param name="Fix">What puts it right when the site's verify does not (another account's rights); null for its verify.</param>
public sealed record GrantDifference(string Where, string Expected, string Found, string? Fix = null);
