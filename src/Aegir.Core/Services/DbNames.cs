namespace Aegir.Core.Services;

/// <summary>How a site's database (and user) name comes from its uri, as Aegir derives it, whatever the database.</summary>
public static class DbNames
{
    /// <summary>The uri's letters and digits (without www.), at most 16, starting with a letter; then _2, _3… past <paramref name="taken"/>.</summary>
    public static string Propose(string uri, ISet<string> taken)
    {
        var host = uri.StartsWith("www.", StringComparison.Ordinal) ? uri[4..] : uri;
        var stem = new string(host.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        if (stem.Length == 0 || char.IsAsciiDigit(stem[0])) stem = "site" + stem;
        stem = stem.Length > 16 ? stem[..16] : stem;
        for (int n = 1; ; n++)
        {
            var name = n == 1 ? stem : $"{stem}_{n}";
            if (!taken.Contains(name)) return name;
        }
    }
}
