using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Services.Files;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

public class LocalTransportTests
{
    [Fact]
    public void Arguments_reach_the_program_as_they_are_with_no_shell()
    {
        var result = new LocalTransport().Run(new CommandSpec("printf", ["%s|", "a b", "$(id)", "x;y", "'q'"]));
        Assert.True(result.Succeeded);
        Assert.Equal("a b|$(id)|x;y|'q'|", result.StandardOutput);
    }

    [Fact]
    public void Standard_input_and_environment_are_passed()
    {
        var result = new LocalTransport().Run(new CommandSpec("sh", ["-c", "cat; printf %s \"$SECRET_VALUE\""])
        { StandardInput = "from stdin\n"u8.ToArray(), Environment = new Dictionary<string, string> { ["SECRET_VALUE"] = "env" } });
        Assert.Equal("from stdin\nenv", result.StandardOutput);
    }

    [Fact]
    public void Output_without_end_is_kept_only_up_to_a_bound_and_says_what_was_left_out()
    {
        // 40 MiB to stderr and stdout each: read to the end (the program finishes), but not kept whole.
        var result = new LocalTransport().Run(new CommandSpec("sh", ["-c", "head -c 41943040 /dev/zero | tr '\\0' e >&2; head -c 41943040 /dev/zero | tr '\\0' o"]));
        Assert.True(result.Succeeded);
        Assert.True(result.StandardError.Length < BoundedText.DefaultLimit + 100);
        Assert.EndsWith($"[{41943040 - BoundedText.DefaultLimit} more bytes of output left out]", result.StandardError);
        Assert.StartsWith("eeee", result.StandardError);
        Assert.True(result.StandardOutput.Length < BoundedText.DefaultLimit + 100);
    }

    [Fact]
    public void A_command_whose_cancellation_comes_is_ended_before_its_timeout()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = new LocalTransport().Run(new CommandSpec("sleep", ["60"]) { Timeout = TimeSpan.FromMinutes(5), Cancellation = stop.Token, OwnSession = true });
        Assert.False(result.Succeeded);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"ended after {clock.Elapsed}");
    }

    [Fact]
    public void A_command_past_its_timeout_is_killed()
    {
        var result = new LocalTransport().Run(new CommandSpec("sleep", ["30"]) { Timeout = TimeSpan.FromMilliseconds(300) });
        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.True(result.Duration < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_missing_program_is_a_failed_result_not_a_crash()
    {
        var result = new LocalTransport().Run(new CommandSpec("/no/such/program", []));
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("/no/such/program", result.StandardError);
    }

    static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aegir-transport-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Owner_and_mode_changes_never_follow_a_symlink()
    {
        var dir = TempDir();
        try
        {
            var outside = Path.Combine(dir, "outside");
            File.WriteAllText(outside, "not the site's");
            File.SetUnixFileMode(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var link = Path.Combine(dir, "link");
            File.CreateSymbolicLink(link, outside);
            var t = new LocalTransport();
            Assert.Equal(PathKind.Symlink, t.Kind(link));
            Assert.Throws<IOException>(() => t.SetMode(link, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(outside));
            Assert.ThrowsAny<IOException>(() => t.CreateDirectory(link, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
            t.Delete(link);
            Assert.True(File.Exists(outside));   // the link went, not what it pointed to
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_symlink_on_the_way_to_a_site_folder_is_refused()
    {
        var dir = TempDir();
        try
        {
            var elsewhere = Path.Combine(dir, "elsewhere");
            Directory.CreateDirectory(elsewhere);
            var root = Path.Combine(dir, "platform");
            Directory.CreateDirectory(Path.Combine(root, "wp-content"));
            Directory.CreateSymbolicLink(Path.Combine(root, "wp-content", "uploads"), elsewhere);
            var files = new FileService(new LocalTransport());
            var ex = Assert.Throws<AegirException>(() => files.EnsureDirectory(root, "wp-content/uploads/sites/a.test", Services.Files.Modes.Dir2770, "root", "root"));
            Assert.Contains("symlink", ex.Message);
            Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
            Assert.Equal(Path.Combine(root, "wp-content", "new"), files.FirstMissing(Path.Combine(root, "wp-content", "new", "deeper")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_web_group_gets_write_in_a_site_s_folder_and_never_through_a_link()
    {
        if (!Posix.IsRoot) return;   // changing a file's group to one we are not in needs root
        var dir = TempDir();
        try
        {
            var folder = Path.Combine(dir, "data", "a.test");
            Directory.CreateDirectory(Path.Combine(folder, "pages"));
            File.WriteAllText(Path.Combine(folder, "pages", "start.txt"), "left 0644 by a command");
            File.WriteAllText(Path.Combine(dir, "outside"), "not the site's");
            File.CreateSymbolicLink(Path.Combine(folder, "pages", "link"), Path.Combine(dir, "outside"));
            var (file, sub, outside) = (Path.Combine(folder, "pages", "start.txt"), Path.Combine(folder, "pages"), Path.Combine(dir, "outside"));
            File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("644", 8));
            File.SetUnixFileMode(sub, (UnixFileMode)Convert.ToInt32("755", 8));
            File.SetUnixFileMode(outside, (UnixFileMode)Convert.ToInt32("644", 8));
            new FileService(new LocalTransport()).OpenToWebGroup(dir, ["data/a.test"], "daemon");
            Assert.Equal("664", Convert.ToString((int)File.GetUnixFileMode(file), 8));
            Assert.Equal("2775", Convert.ToString((int)File.GetUnixFileMode(sub), 8));
            Assert.Equal("644", Convert.ToString((int)File.GetUnixFileMode(outside), 8));
            var group = new LocalTransport().Run(new CommandSpec("stat", ["-c", "%G", file, outside])).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["daemon", "root"], group);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_folder_is_synced_as_rsync_does_it()
    {
        Machine.Packages.Ensure(["rsync"], _ => { });
        var dir = TempDir();
        try
        {
            var source = Path.Combine(dir, "a");
            var target = Path.Combine(dir, "b");
            Directory.CreateDirectory(Path.Combine(source, "sub"));
            File.WriteAllText(Path.Combine(source, "sub", "x.php"), "<?php");
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "stale"), "gone after the sync");
            var t = new LocalTransport();
            t.Sync(source, target);
            Assert.Equal("<?php", File.ReadAllText(Path.Combine(target, "sub", "x.php")));
            Assert.False(File.Exists(Path.Combine(target, "stale")));
            Assert.Equal(["sub"], t.List(target));
            Assert.Equal([Path.Combine(target, "sub", "x.php")], t.FindFiles(target, "*.php", 3));
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary>A program started through the local transport never outlives the process that started it, killed with -9 too.</summary>
public class ParentDeathTests
{
    /// <summary>
    /// Starts a process that runs <paramref name="command"/> (with a mark of its own as its last argument) and kills it:
    /// once the program itself runs, or (<paramref name="atOnce"/>) as it starts it. The program must die with it.
    /// </summary>
    static void AssertDiesWithItsRunner(string how, bool atOnce, params string[] command)
    {
        var mark = $"{Random.Shared.Next(100, 999)}.{Random.Shared.Next(100000, 999999)}";   // sleep's seconds, unique to this run
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in new[] { "run", how }.Concat(command).Append(mark)) psi.ArgumentList.Add(a);
        using var runner = System.Diagnostics.Process.Start(psi)!;
        try
        {
            Assert.Equal("running", runner.StandardOutput.ReadLine());
            if (!atOnce)
                Assert.True(SpinWait.SpinUntil(() => Marked(mark, runner.Id).Any(c => c.StartsWith("sleep\0", StringComparison.Ordinal)), TimeSpan.FromSeconds(20)), "the program did not start");
        }
        finally
        {
            runner.Kill();
            runner.WaitForExit();
        }
        var left = new List<string>();
        Assert.True(SpinWait.SpinUntil(() => (left = Marked(mark, runner.Id)).Count == 0, TimeSpan.FromSeconds(3)),
            $"{string.Join(' ', command)} outlived the process that ran it: {string.Join(", ", left).Replace('\0', ' ')}");
    }

    /// <summary>The command lines of live processes but the runner that hold the mark (zombies waiting for init are gone already).</summary>
    static List<string> Marked(string mark, int runner)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == runner) continue;
            try
            {
                var line = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (line.Contains(mark) && Tasks.ProcessIdentity.StartOf(pid) is not null) found.Add(line);
            }
            catch (IOException) { }
        }
        return found;
    }

    [Fact]
    public void A_program_dies_with_the_process_that_runs_it() => AssertDiesWithItsRunner("direct", false, "sleep");

    [Fact]
    public void A_program_whose_output_is_read_through_a_pipe_dies_with_it_too() => AssertDiesWithItsRunner("pipe", false, "sleep");

    [Fact]
    public void A_program_being_started_as_its_runner_dies_never_starts()
    {
        for (int i = 0; i < 5; i++) AssertDiesWithItsRunner("direct", true, "sleep");
    }

    [Fact]
    public void A_program_run_as_another_user_dies_with_it_too()
    {
        if (!Posix.IsRoot) return;   // only root switches users
        AssertDiesWithItsRunner("direct", false, "/usr/sbin/runuser", "-u", "nobody", "--", "sleep");
        AssertDiesWithItsRunner("direct", true, "/usr/sbin/runuser", "-u", "nobody", "--", "sleep");
        AssertDiesWithItsRunner("direct", false, "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "sleep");
    }
}
