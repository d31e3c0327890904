using System.Globalization;
using Aegir.Core.Errors;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Aegir3;

/// <summary>
/// Aegir 3's record of a site on its platform, sites/&lt;uri&gt;/drushrc.php: <c>$options['db_name'] = '...';</c> and
/// the rest of the site's options, then the lines that copy the db_* options into $_SERVER and include
/// local.drushrc.php. Aegir's settings.php reads the database from the vhost's environment, so this file is where the
/// site's database, user and password are. Read without running PHP; any other statement is refused.
/// </summary>
public static class Aegir3Drushrc
{
    public const string FileName = "drushrc.php";

    /// <summary>The path of a site's drushrc.php under its platform's root.</summary>
    public static string PathOf(string root, string uri) => System.IO.Path.Combine(root, "sites", uri, FileName);

    /// <summary>How many names a file has and which file it is (device:inode), not following a link; null when it cannot be told.</summary>
    public static (int Links, string Id)? Identity(ITransport transport, string file)
    {
        var result = transport.Run(new CommandSpec("stat", ["-c", "%h %d:%i", "--", file]));
        var parts = result.Succeeded ? result.StandardOutput.Trim().Split(' ') : [];
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var links) ? (links, parts[1]) : null;
    }

    /// <summary>The site's options by key (the last assignment of a key wins, as in PHP).</summary>
    public static IReadOnlyDictionary<string, object?> Options(string text, string file)
    {
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var s in PhpData.Parse(text, file))
        {
            if (s is { Target: { Variable: "options", Keys: [string key] } } && s.Value is not PhpReference) options[key] = s.Value;
            // Aegir's template copies the db_* options into $_SERVER for drush: the values are the options' own.
            else if (s is { Target: { Variable: "_SERVER", Keys: [string to] }, Value: PhpReference { Variable: "options", Keys: [string from] } } && to == from) { }
            // ... and includes the site's own local.drushrc.php, for what an admin adds by hand (see Read).
            else if (s.Include is { } path && System.IO.Path.GetFileName(path) == "local.drushrc.php") { }
            else
                throw ErrorCatalog.Aegir3ContextUnread(file, s.Line, s.Target is { } t ? $"it assigns {t}, which Aegir's drushrc.php does not" : $"it includes {s.Include}, which Aegir's drushrc.php does not",
                    "Put back the file Aegir wrote (its $options lines are what is read).");
        }
        return options;
    }

    /// <summary>
    /// The database a site's drushrc.php names, read over the web server's connection; null when the site has no
    /// drushrc.php or it names no database. A local.drushrc.php beside it is not read (it is PHP an admin wrote):
    /// <paramref name="note"/> hears of it.
    /// </summary>
    public static ImportedDatabase? Read(ITransport transport, string root, string uri, Action<string>? note = null)
    {
        var file = PathOf(root, uri);
        const string Fix = "Put back the drushrc.php Aegir wrote: a regular file in the site's own folder (no link, no linked folder), then run the import again.";
        foreach (var below in new[] { "sites", System.IO.Path.Combine("sites", uri) })
            if (transport.Kind(System.IO.Path.Combine(root, below)) == PathKind.Symlink)
                throw ErrorCatalog.Aegir3ContextUnread(file, 0, $"{System.IO.Path.Combine(root, below)} is a symlink; a site's credentials are never read through one", Fix);
        byte[]? bytes;
        // A link (to another site's file, or a site folder linked to another's) is never followed: that site's database is not this one's.
        try { bytes = transport.ReadFile(file); }
        catch (IOException ex) { throw ErrorCatalog.Aegir3ContextUnread(file, 0, ex.Message, Fix); }
        if (bytes is null) return null;
        if (Identity(transport, file) is { Links: > 1 } shared)
            throw ErrorCatalog.Aegir3ContextUnread(file, 0, $"it has {shared.Links} hard links: it is one file with another (another site's drushrc.php, perhaps), whose database this site would be given",
                $"Give the site a drushrc.php of its own (cp -p {file} {file}.own && mv {file}.own {file}), then run the import again.");
        if (bytes.Length > PhpData.MaxBytes) throw ErrorCatalog.Aegir3ContextUnread(file, 0, "it is far larger than a drushrc.php Aegir writes", "Put back the file Aegir wrote.");
        var options = Options(System.Text.Encoding.UTF8.GetString(bytes), file);
        if (transport.FileExists(System.IO.Path.Combine(root, "sites", uri, "local.drushrc.php")))
            note?.Invoke($"sites/{uri}/local.drushrc.php is not read (it is PHP written by hand): check that it changes none of the site's db_* options.");
        string? Option(string key) => options.TryGetValue(key, out var v) ? v switch
        {
            string s when s.Length > 0 => s,
            long n => n.ToString(CultureInfo.InvariantCulture),
            _ => null,
        } : null;
        if (Option("db_name") is not { } name) return null;
        var port = int.TryParse(Option("db_port"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        return new ImportedDatabase(name, Option("db_host") ?? "localhost", port, Option("db_type") ?? "mysql", Option("db_user"), Option("db_passwd"));
    }
}
