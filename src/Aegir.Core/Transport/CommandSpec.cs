namespace Aegir.Core.Transport;

/// <summary>
/// A program and its arguments, run without a shell. Secrets go in <see cref="StandardInput"/> or
/// <see cref="Environment"/>, never in <see cref="Arguments"/> (which any user can read in ps).
/// </summary>
public sealed record CommandSpec(string Program, IReadOnlyList<string> Arguments)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    public byte[]? StandardInput { get; init; }
    /// <summary>Streamed to the program's input instead of <see cref="StandardInput"/> (a database import).</summary>
    public Stream? InputStream { get; init; }
    /// <summary>Receives the program's output instead of <see cref="CommandResult.StandardOutput"/> (a database dump).</summary>
    public Stream? OutputStream { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    /// <summary>False to start the program with <see cref="Environment"/> alone (a site's commands see nothing of this process).</summary>
    public bool InheritEnvironment { get; init; } = true;
    public string? WorkingDirectory { get; init; }
    /// <summary>
    /// The program runs in a session and process group of its own (setsid, see <see cref="ScriptUser.As"/>): no
    /// terminal of this process's, so it can type nothing into an admin's shell, and whatever it leaves running in its
    /// group when it ends is killed, so nothing of a site's command outlives it.
    /// </summary>
    public bool OwnSession { get; init; }

    /// <summary>Ends the program early, as its timeout does (a task asked to stop); honoured by the local transport.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Splits a validated command setting (words separated by spaces) into a spec.</summary>
    public static CommandSpec Parse(string command, params string[] extra)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new CommandSpec(words[0], words.Skip(1).Concat(extra).ToList());
    }

    public override string ToString() => string.Join(' ', Arguments.Prepend(Program).Select(Quote));

    /// <summary>A word as a POSIX shell (and rsync's -e) reads it back: single-quoted unless it is plainly safe.</summary>
    internal static string Quote(string word) => word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@+,%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
