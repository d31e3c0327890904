using System.Text.Json;
using Aegir.Core.IO;

namespace Aegir.Core.Schedules;

/// <summary>
/// A site's numbers at one moment, as its application keeps them: users (and those active in the last 30 days, where
/// the application records logins), posts or nodes, comments; and what it takes up: database and files, in bytes.
/// A number the application does not keep is null.
/// </summary>
public sealed record SiteStatistic(string Site, DateTimeOffset Time, long? Users, long? ActiveUsers, long? Posts, long? Comments, long? DatabaseBytes, long? FilesBytes);
