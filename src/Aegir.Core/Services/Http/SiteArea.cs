namespace Aegir.Core.Services.Http;

/// <summary>
/// Where every site of a platform keeps something of its own (its folder, its settings file): one path from the root
/// with the site's uri as a wildcard, as the platform's kind lays its sites out.
/// </summary>
/// <param name="Glob">The path as a shell pattern (sites/*), for Apache's &lt;Directory&gt;, which takes no regex while it follows links.</param>
/// <param name="Every">A regex of every site's path (sites/&lt;any uri&gt;), the shared ones left out; unanchored.</param>
/// <param name="Others">The same with this site's own left out too: what a vhost answers 404 for.</param>
/// <param name="Folder">Whether each site's is a folder; else it is a file (a settings file).</param>
/// <param name="Shared">Paths the wildcard takes in that are no site's but shared by all (Drupal's sites/all).</param>
public sealed record SiteArea(string Glob, string Every, string Others, bool Folder, IReadOnlyList<string> Shared);
