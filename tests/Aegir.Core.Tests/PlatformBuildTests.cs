using Aegir.Core.Operations.Platform;
using Aegir.Core.Platforms;
using Aegir.Core.Services.Php;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>A platform built from git on the fake server: who the build runs as, and what is left of it.</summary>
public class PlatformBuildTests
{
    static FakeHosting Hosting()
    {
        var h = new FakeHosting();
        h.Server.CreateDirectory("/srv", (UnixFileMode)Convert.ToInt32("755", 8));
        h.Server.Put(BuildShell.Composer, "#!/usr/bin/php");
        return h;
    }

    static VerifyPlatform.Parameters Built => new("platform_built", new PlatformDefinition("built", "/srv/built", Git: "/srv/repo.git", Ref: "v1", Composer: true));

    /// <summary>The build's own commands (git, composer, the manifest's), each with the uid it ran as.</summary>
    static List<(string Command, string Uid)> BuildCommands(FakeHosting h)
        => h.Server.Runs.Select(r => (Run: FakeTransport.Unwrapped(r), Uid: r.Arguments.FirstOrDefault(a => a.StartsWith("--reuid=", StringComparison.Ordinal))))
            .Where(r => r.Run is { Program: "/bin/sh", Arguments: ["-c", BuildShell.UmaskScript, ..] })
            .Select(r => (string.Join(' ', r.Run.Arguments.Skip(2)), r.Uid ?? "root")).ToList();

    [Fact]
    public void A_build_runs_as_an_account_of_its_own_which_is_gone_after_and_the_code_is_the_script_users()
    {
        using var h = Hosting();
        var builder = PhpAccount.ForBuild("platform_built", h.Store.Home);
        var outcome = h.Run(Built);
        Assert.True(outcome.Succeeded, outcome.Task.Error);

        var commands = BuildCommands(h);
        // The clone alone is the script user's (its ssh key reaches the repository; a clone without checkout runs none of its code).
        Assert.Equal("--reuid=998", Assert.Single(commands, c => c.Command.StartsWith(BuildShell.Git + " clone", StringComparison.Ordinal)).Uid);
        Assert.Contains(commands, c => c.Command.StartsWith(BuildShell.Git + " checkout", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Command.StartsWith(BuildShell.Composer + " install", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Command.StartsWith("php bin/build.php", StringComparison.Ordinal));
        // The fake gives every account it makes uid 1001; aegir, which owns every other platform, is 998.
        var building = commands.Take(commands.FindIndex(c => c.Command.Contains("bin/build.php", StringComparison.Ordinal)) + 1).Skip(1).ToList();
        Assert.All(building, c => Assert.Equal("--reuid=1001", c.Uid));
        Assert.Contains(h.Server.Commands, c => c.StartsWith("useradd --system", StringComparison.Ordinal) && c.EndsWith(builder.Name, StringComparison.Ordinal));
        Assert.False(h.Server.Accounts.ContainsKey(builder.Name), "the build's account is deleted when the build ends");
        Assert.True(builder.Name.Length <= 32);
        var build = h.Server.Commands.FindIndex(c => c.Contains("bin/build.php", StringComparison.Ordinal));
        Assert.Contains($"chown -R --no-dereference {builder.Name}:{builder.Name} -- /srv/built", h.Server.Commands);
        var chown = h.Server.Commands.FindIndex(c => c == "chown -R --no-dereference aegir:aegir -- /srv/built");
        var strip = h.Server.Commands.FindIndex(chown + 1, c => c.StartsWith("find -P /srv/built -xdev -type f", StringComparison.Ordinal) && c.Contains("ug-s", StringComparison.Ordinal));
        Assert.True(build >= 0 && chown > build && strip > chown, string.Join("\n", h.Server.Commands));
    }

    [Fact]
    public void A_failed_build_deletes_its_account_and_root()
    {
        using var h = Hosting();
        var builder = PhpAccount.ForBuild("platform_built", h.Store.Home);
        h.Server.Handler = spec => FakeTransport.Unwrapped(spec) is { Arguments: [_, _, BuildShell.Composer, ..] } ? new CommandResult(1, "", "composer broke", TimeSpan.Zero) : h.Usual(spec);
        var outcome = h.Run(Built);
        Assert.False(outcome.Succeeded);
        Assert.False(h.Server.Accounts.ContainsKey(builder.Name));
        Assert.Equal(PathKind.None, h.Server.Kind("/srv/built"));
    }

    [Fact]
    public void Verify_takes_setuid_and_setgid_bits_off_the_platforms_files_naming_them()
    {
        using var h = new FakeHosting();
        h.Platform("plain", "php", verified: false);
        h.Server.Handler = spec => spec is { Program: "find" } && spec.Arguments.Contains("ug-s") && spec.Arguments[1] == "/srv/plain"
            ? new CommandResult(0, "/srv/plain/bin/php\0", "", TimeSpan.Zero) : h.Usual(spec);
        var outcome = h.Run(new VerifyPlatform.Parameters("platform_plain"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        Assert.Contains(outcome.Task.Log, e => e.Level == Tasks.TaskLogLevel.Warning && e.Message.Contains("/srv/plain/bin/php", StringComparison.Ordinal) && e.Message.Contains("setuid", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_of_a_built_platform_warns_of_a_file_added_and_of_files_hidden_from_git_status()
    {
        using var h = Hosting();
        Assert.True(h.Run(Built).Succeeded);
        h.Server.Handler = spec => FakeTransport.Unwrapped(spec) is { Arguments: [_, _, BuildShell.Git, var verb, ..] } git && verb is "status" or "ls-files"
            ? new CommandResult(0, verb == "status" ? "?? evil.php\0" : "H composer.lock\0S index.php\0h .aegir.yml\0", "", TimeSpan.Zero) : h.Usual(spec);
        var outcome = h.Run(new VerifyPlatform.Parameters("platform_built"));
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var warning = Assert.Single(outcome.Task.Log, e => e.Level == Tasks.TaskLogLevel.Warning && e.Message.Contains("since it was built", StringComparison.Ordinal)).Message;
        Assert.Contains("3 file(s)", warning);
        Assert.Contains("evil.php (a file git does not know (added))", warning);
        Assert.Contains("index.php (hidden from git status", warning);
        Assert.Contains(".aegir.yml (hidden from git status", warning);
        Assert.DoesNotContain("composer.lock", warning);
    }

    [Fact]
    public void An_empty_folder_taken_over_is_kept_and_a_failed_build_empties_it_and_puts_its_owner_and_mode_back()
    {
        using var h = Hosting();
        var mode = (UnixFileMode)Convert.ToInt32("2770", 8);
        h.Server.CreateDirectory("/srv/built", mode);
        h.Server.SetOwner("/srv/built", "root", "www-data");
        h.Server.Handler = spec => FakeTransport.Unwrapped(spec) is { Arguments: [_, _, BuildShell.Composer, ..] } ? new CommandResult(1, "", "composer broke", TimeSpan.Zero) : h.Usual(spec);
        Assert.False(h.Run(Built).Succeeded);
        Assert.Equal(PathKind.Directory, h.Server.Kind("/srv/built"));
        Assert.Empty(h.Server.List("/srv/built"));
        Assert.Equal(("root", "www-data"), h.Server.OwnerOf("/srv/built"));
        Assert.Equal(mode, h.Server.GetMode("/srv/built"));
        Assert.DoesNotContain(h.Server.Commands, c => c.StartsWith("rmdir", StringComparison.Ordinal));
    }

    [Fact]
    public void A_build_warns_when_a_branch_has_the_tags_name_and_when_the_commit_has_submodules()
    {
        using var h = Hosting();
        h.Server.Handler = spec =>
        {
            var result = h.Usual(spec);
            if (FakeTransport.Unwrapped(spec) is { Arguments: [_, _, BuildShell.Git, "clone", ..] } clone) h.Server.Put(clone.Arguments[^1] + "/.gitmodules", "[submodule \"lib\"]");
            return result;
        };
        var outcome = h.Run(Built);
        Assert.True(outcome.Succeeded, outcome.Task.Error);
        var warnings = outcome.Task.Log.Where(e => e.Level == Tasks.TaskLogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Contains(warnings, w => w.Contains("has both a tag and a branch named v1: the tag was taken", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("submodules (.gitmodules), which are not fetched", StringComparison.Ordinal));
    }
}
