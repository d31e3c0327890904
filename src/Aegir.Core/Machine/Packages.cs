using Aegir.Core.Errors;
using Aegir.Core.Transport;

namespace Aegir.Core.Machine;

/// <summary>Debian packages a local server needs, installed with apt-get when missing (as root).</summary>
public static class Packages
{
    public static IReadOnlyList<string> Missing(IEnumerable<string> packages)
        => packages.Where(p => !new LocalTransport().Run(new CommandSpec("dpkg-query", ["-W", "-f=${Status}", p])).StandardOutput.Contains("install ok installed")).ToList();

    public static void Ensure(IEnumerable<string> packages, Action<string> log)
    {
        var missing = Missing(packages);
        if (missing.Count == 0) return;
        if (!IO.Posix.IsRoot)
            throw ErrorCatalog.StepFailed(ErrorIds.PackagesMissing, "Installing packages", $"{string.Join(", ", missing)} are not installed", $"Install them as root: apt-get install {string.Join(' ', missing)}");
        log($"Installing {string.Join(", ", missing)} with apt-get.");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        // Another apt-get (unattended upgrades, a second install at the same moment) holds the lock: wait for it.
        string[] wait = ["-o", "DPkg::Lock::Timeout=600"];
        var update = new LocalTransport().Run(new CommandSpec("apt-get", [.. wait, "update", "-qq"]) { Environment = env, Timeout = TimeSpan.FromMinutes(10) });
        if (!update.Succeeded) log($"apt-get update: {update.Summary()}");
        var install = new LocalTransport().Run(new CommandSpec("apt-get", [.. wait, "install", "-y", "-qq", .. missing]) { Environment = env, Timeout = TimeSpan.FromMinutes(20) });
        if (!install.Succeeded)
            throw ErrorCatalog.StepFailed(ErrorIds.PackagesMissing, "Installing packages", install.Summary(), $"Install them by hand: apt-get install {string.Join(' ', missing)}");
    }
}
