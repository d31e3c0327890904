namespace Aegir.Core.Transport;

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration, bool TimedOut = false)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>The most telling output for an error message: stderr, else stdout, trimmed to a few lines.</summary>
    public string Summary()
    {
        var text = (string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError).Trim();
        var lines = text.Split('\n');
        return lines.Length > 12 ? string.Join('\n', lines.TakeLast(12)) : text;
    }
}
