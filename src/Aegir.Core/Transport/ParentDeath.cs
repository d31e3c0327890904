namespace Aegir.Core.Transport;

/// <summary>
/// Ties a program's life to this process: it is started through <c>setpriv --pdeathsig KILL</c>, so the kernel kills
/// it the moment the thread that started it ends. That thread is the one that waits for the program (a run is
/// synchronous), so in effect it dies with this process, by a kill -9 too, and a repair never races an orphan.
/// The signal is set per process, after the fork, and cleared by a change of user: so the program starts only if
/// this process is still its parent once the signal is set, and a program run as another user through runuser
/// (which changes user in a child of its own) or setpriv gets the signal again once it is that user. It does not
/// pass to a program's own children; the programs run here (installers, database clients, tar, crons) do their
/// work in themselves.
/// </summary>
internal static class ParentDeath
{
    const string Setpriv = "/usr/bin/setpriv";
    static readonly string[] Signal = ["--pdeathsig", "KILL"];

    /// <summary>
    /// Runs "$@" only while the process named by $0 is its parent, or its parent's parent (under runuser): one that
    /// died before the signal was set never sees it, so the program must not start.
    /// </summary>
    const string WhileStarterLives = """p=$PPID; for _ in 1 2; do [ "$p" = "$0" ] && exec "$@"; read -r _ _ _ p _ < "/proc/$p/stat" || break; done; exit 1""";

    static readonly string[] Check = ["/bin/sh", "-c", WhileStarterLives, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>setpriv is util-linux's (2.33 and later know --pdeathsig); without it programs run as they are.</summary>
    static readonly Lazy<bool> Available = new(() =>
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Setpriv) || !File.Exists(Check[0])) return false;
        try
        {
            using var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Setpriv, [.. Signal, "--", "true"])
            {
                UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true,
            })!;
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    });

    /// <summary>The program and arguments that run <paramref name="program"/> so that it dies with the calling thread.</summary>
    public static (string Program, IReadOnlyList<string> Arguments) Guarded(string program, IReadOnlyList<string> arguments)
    {
        if (!Available.Value) return (program, arguments);
        var end = arguments.ToList().IndexOf("--");
        switch (Path.GetFileName(program))
        {
            case "setpriv" when end >= 0 && !arguments.Contains(Signal[0]):
                // It changes user itself and sets the signal after that.
                return (program, [.. Signal, .. arguments.Take(end + 1), .. Check, .. arguments.Skip(end + 1)]);
            case "runuser" when end >= 0:
                // runuser waits while a child of its own becomes the user and runs the program: both get the signal.
                return (Setpriv, [.. Signal, "--", .. Check, program, .. arguments.Take(end + 1), Setpriv, .. Signal, "--", .. Check, .. arguments.Skip(end + 1)]);
            default:
                return (Setpriv, [.. Signal, "--", .. Check, program, .. arguments]);
        }
    }
}
