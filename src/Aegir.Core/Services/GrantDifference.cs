namespace Aegir.Core.Services;

/// <summary>One way a site's database account differs from what verify makes it: where (the account), what it should hold, what it holds.</summary>
public sealed record GrantDifference(string Where, string Expected, string Found);
