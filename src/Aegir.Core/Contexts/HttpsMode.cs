namespace Aegir.Core.Contexts;

/// <summary>How a site is served over HTTPS: not at all, beside HTTP, or only (HTTP answers with a 301 to HTTPS, and HSTS).</summary>
public enum HttpsMode { Disabled, Enabled, Required }
