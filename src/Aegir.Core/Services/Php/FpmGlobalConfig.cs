using System.Text;
using System.Text.RegularExpressions;
using Aegir.Core.Transport;

namespace Aegir.Core.Services.Php;

/// <summary>
/// PHP-FPM's [global] settings, read from the config file its own test names and the files that file includes. Never
/// from php-fpm -tt: that writes the whole config, every pool's env[] (database passwords) among it, into PHP-FPM's
/// log at NOTICE, each time.
/// </summary>
public static partial class FpmGlobalConfig
{
    /// <summary>
    /// process_control_timeout in seconds as PHP-FPM takes it (0 when no [global] section sets it, PHP-FPM's default);
    /// null when the test's output names no config file or it cannot be read.
    /// </summary>
    public static int? ProcessControlTimeout(ITransport transport, string testOutput)
    {
        if (ConfigNamed().Match(testOutput) is not { Success: true } named) return null;
        var file = named.Groups[1].Value;
        if (transport.ReadFile(file) is not { } bytes) return null;
        var value = "0";
        Read(transport, file, Encoding.UTF8.GetString(bytes), ref value, depth: 0);
        return Seconds(value);
    }

    static void Read(ITransport transport, string file, string text, ref string value, int depth)
    {
        var global = true;   // settings before any section are global ones
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#') continue;
            if (line.StartsWith('[')) { global = line.Equals("[global]", StringComparison.OrdinalIgnoreCase); continue; }
            var eq = line.IndexOf('=');
            if (eq < 0) continue;
            var key = line[..eq].Trim();
            var setting = line[(eq + 1)..].Trim().Trim('"', '\'');
            if (global && key == "process_control_timeout") value = setting;
            else if (key == "include" && depth < 4)
            {
                // A glob; relative ones are relative to the including file's folder (near enough to PHP-FPM's prefix).
                var pattern = Path.IsPathRooted(setting) ? setting : Path.Combine(Path.GetDirectoryName(file)!, setting);
                var dir = Path.GetDirectoryName(pattern)!;
                foreach (var included in transport.FindFiles(dir, Path.GetFileName(pattern), 0).Order(StringComparer.Ordinal))
                    if (transport.ReadFile(included) is { } bytes) Read(transport, included, Encoding.UTF8.GetString(bytes), ref value, depth + 1);
            }
        }
    }

    /// <summary>A time as PHP-FPM writes one (10, 10s, 1m, 1h, 1d); an unreadable one counts as 0, as PHP-FPM refuses it.</summary>
    static int Seconds(string value)
    {
        var m = TimeValue().Match(value);
        if (!m.Success) return 0;
        var n = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "m" => n * 60, "h" => n * 3600, "d" => n * 86400, _ => n };
    }

    [GeneratedRegex(@"configuration file (\S+) test is successful")] private static partial Regex ConfigNamed();
    [GeneratedRegex(@"^(\d{1,6})([smhd]?)$")] private static partial Regex TimeValue();
}
