using System.Globalization;
using System.Text.RegularExpressions;

namespace Aegir.Core.Contexts;

/// <summary>
/// What an application or a site may tune of its vhost, each value checked so that it is one word the web server reads
/// as meant and nothing more: the largest request body (uploads), how long PHP may take, and nginx's FastCGI buffers
/// (an application whose pages send large headers); and the limits of a site's own PHP-FPM pool: its process manager,
/// its most workers and each one's memory. A site's settings go over its platform's.
/// </summary>
public sealed partial record WebTuning
{
    public static readonly IReadOnlyList<string> Keys = ["upload_max", "timeout", "fastcgi_buffer_size", "fastcgi_buffers", "pm", "max_children", "memory_limit"];

    /// <summary>PHP-FPM's process managers: ondemand (workers only while requests come: the densest), dynamic, static.</summary>
    public static readonly IReadOnlyList<string> ProcessManagers = ["ondemand", "dynamic", "static"];

    public static readonly WebTuning None = new();

    /// <summary>The largest request body, as nginx writes it (64m); Apache gets it in bytes.</summary>
    public string? UploadMax { get; init; }
    /// <summary>Seconds PHP may take to answer.</summary>
    public int? Timeout { get; init; }
    /// <summary>nginx fastcgi_buffer_size (32k): room for the response's headers.</summary>
    public string? FastcgiBufferSize { get; init; }
    /// <summary>nginx fastcgi_buffers (16 16k).</summary>
    public string? FastcgiBuffers { get; init; }
    /// <summary>The site's pool's process manager (ondemand when not given).</summary>
    public string? Pm { get; init; }
    /// <summary>The most PHP workers the site's pool runs at once.</summary>
    public int? MaxChildren { get; init; }
    /// <summary>PHP's memory_limit in the site's pool (256M).</summary>
    public string? MemoryLimit { get; init; }

    public bool IsEmpty => this == None;

    /// <summary>Why a value is refused for its key; null when it is good.</summary>
    public static string? Problem(string key, string? value) => key switch
    {
        _ when !Keys.Contains(key) => $"it is not a web setting (known: {string.Join(", ", Keys)})",
        _ when value is null => null,
        "upload_max" => Size().IsMatch(value) && Bytes(value) <= 16L << 30 ? null : "it is a size such as 64M (digits, then K, M or G), at most 16G",
        "timeout" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 86400 ? null : "it is a number of seconds from 1 to 86400",
        "fastcgi_buffer_size" => Small().IsMatch(value) ? null : "it is a size in kilobytes such as 32k",
        "pm" => ProcessManagers.Contains(value) ? null : $"it is one of {string.Join(", ", ProcessManagers)}",
        "max_children" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 1 and <= 512 ? null : "it is a number of workers from 1 to 512",
        "memory_limit" => Size().IsMatch(value) && Bytes(value) is >= 16L << 20 and <= 16L << 30 ? null : "it is a size such as 256M (digits, then K, M or G), from 16M to 16G",
        _ => Buffers().IsMatch(value) ? null : "it is a count and a size such as 16 16k",
    };

    /// <summary>The settings from key/value pairs, each checked; <paramref name="invalid"/> makes the error for a bad one.</summary>
    public static WebTuning From(IEnumerable<KeyValuePair<string, string>> pairs, Func<string, string, string, Exception> invalid)
    {
        var tuning = None;
        foreach (var (key, value) in pairs)
        {
            if (Problem(key, value) is { } why) throw invalid(key, value, why);
            tuning = key switch
            {
                "upload_max" => tuning with { UploadMax = value.ToLowerInvariant() },
                "timeout" => tuning with { Timeout = int.Parse(value, CultureInfo.InvariantCulture) },
                "fastcgi_buffer_size" => tuning with { FastcgiBufferSize = value.ToLowerInvariant() },
                "pm" => tuning with { Pm = value },
                "max_children" => tuning with { MaxChildren = int.Parse(value, CultureInfo.InvariantCulture) },
                "memory_limit" => tuning with { MemoryLimit = value.ToUpperInvariant() },
                "fastcgi_buffers" => tuning with { FastcgiBuffers = value.ToLowerInvariant() },
                _ => tuning,
            };
        }
        return tuning;
    }

    /// <summary>These settings, and <paramref name="under"/>'s where these give none.</summary>
    public WebTuning Over(WebTuning under) => new()
    {
        UploadMax = UploadMax ?? under.UploadMax, Timeout = Timeout ?? under.Timeout,
        FastcgiBufferSize = FastcgiBufferSize ?? under.FastcgiBufferSize, FastcgiBuffers = FastcgiBuffers ?? under.FastcgiBuffers,
        Pm = Pm ?? under.Pm, MaxChildren = MaxChildren ?? under.MaxChildren, MemoryLimit = MemoryLimit ?? under.MemoryLimit,
    };

    /// <summary>For the vhost templates: each setting by its key, null when not given.</summary>
    public IReadOnlyDictionary<string, object?> Model() => new Dictionary<string, object?>
    {
        ["upload_max"] = UploadMax,
        ["upload_max_bytes"] = UploadMax is null ? null : Math.Min(Bytes(UploadMax), int.MaxValue),   // Apache takes no more
        ["timeout"] = Timeout,
        ["fastcgi_buffer_size"] = FastcgiBufferSize, ["fastcgi_buffers"] = FastcgiBuffers,
    };

    /// <summary>A size in bytes (64M: 67108864).</summary>
    public static long Bytes(string size)
    {
        var unit = char.ToLowerInvariant(size[^1]);
        var digits = char.IsAsciiDigit(unit) ? size : size[..^1];
        return long.Parse(digits, CultureInfo.InvariantCulture) * unit switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1 };
    }

    [GeneratedRegex("^[1-9][0-9]{0,5}[kKmMgG]?\\z")] private static partial Regex Size();
    [GeneratedRegex("^[1-9][0-9]{0,3}[kK]\\z")] private static partial Regex Small();
    [GeneratedRegex("^[1-9][0-9]{0,2} [1-9][0-9]{0,3}[kK]\\z")] private static partial Regex Buffers();
}
