using System.Collections.Concurrent;
using Aegir.Core.IO;

namespace Aegir.Core.Contexts;

/// <summary>What one site's record claims: its host names, and its database on its db server; with its status and schedules, for the queue; and its client, whose quota it counts against. Acme: it is served over HTTPS with a certificate from ACME (the renewal schedule's), from its platform's web server.</summary>
public sealed record SiteClaims(string Name, IReadOnlyList<string> HostNames, string? DbServerName, string? DbName,
    SiteStatus Status = SiteStatus.NotInstalled, string? CronInterval = null, string? BackupInterval = null, string? StatisticsInterval = null,
    string? ClientName = null, bool Acme = false, string? PlatformName = null);
