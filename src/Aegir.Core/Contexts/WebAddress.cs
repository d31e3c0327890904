namespace Aegir.Core.Contexts;

/// <summary>The address of a host name on a web service: its scheme and, when it is not the scheme's own, its port.</summary>
public static class WebAddress
{
    /// <summary>http://host[:port], or https://host[:https_port].</summary>
    public static string Of(AegirService http, string host, bool https)
        => https ? $"https://{host}{Suffix(http.GetInt("https_port"), 443)}" : $"http://{host}{Suffix(http.GetInt("port"), 80)}";

    /// <summary>":port", or nothing for the scheme's own port.</summary>
    public static string Suffix(int port, int standard) => port == standard ? "" : ":" + port;
}
