namespace Aegir.Core.Platforms;

/// <summary>A folder a site needs, relative to the platform root, with who may write to it.</summary>
/// <param name="WebWritable">Group is the web group (the web server writes uploads there); otherwise the owner's group.</param>
public sealed record SiteDirectory(string Path, UnixFileMode Mode, bool WebWritable);
