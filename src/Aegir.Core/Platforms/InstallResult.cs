namespace Aegir.Core.Platforms;

/// <summary>What installing a site produced: the admin account the user must be told about, once.</summary>
public sealed record InstallResult(string? AdminUser, string? AdminPassword, string? LoginUrl);
