using Aegir.Core.Operations.Drift;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>
/// What drift reports compare on disk, with real files and real commands (find, sha256sum, git): config text against
/// what verify writes, owners and modes, a platform's checksums (pruned where they are no code) and git's status.
/// </summary>
public sealed class DriftFileTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "aegir-drift-" + Guid.NewGuid().ToString("N")[..10]);
    readonly LocalTransport _local = new();

    public DriftFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _local.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    string Put(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("a\nb\nc\n", "a\nb\nc\n", null)]
    [InlineData("a\nb\nc\n", "a\nB\nc\n", 2)]
    [InlineData("a\nb\n", "a\nb\nextra\n", 3)]
    [InlineData("a\nb\nc", "a\nb", 3)]
    public void The_first_line_that_differs_is_named(string expected, string found, int? line)
        => Assert.Equal(line, DriftFindings.FirstDifference(expected, found));

    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 1)]
    [InlineData("a\n", 1)]
    [InlineData("a\n\n", 2)]
    public void Lines_are_counted_as_an_editor_numbers_them(string text, int lines) => Assert.Equal(lines, DriftFindings.Lines(text));

    [Fact]
    public void A_file_is_compared_with_what_verify_writes_and_its_lines_are_never_told()
    {
        var found = new DriftFindings("a.test");
        var path = Put("vhost.conf", "server {\n  secret_password;\n}\n");
        found.Text(DriftKind.Vhost, _local, path, "server {\n  secret_password;\n}\n", path);
        Assert.Empty(found.All);
        found.Text(DriftKind.Vhost, _local, path, "server {\n  other_password;\n}\n", path);
        var d = Assert.Single(found.All);
        Assert.Equal("a file edited from line 2 on (3 lines)", d.Found);
        Assert.DoesNotContain("password", d.Found + d.Expected);
        Assert.Equal("Invoke-AegirVerify a.test", d.Fix);
        found.Text(DriftKind.Pool, _local, Path.Combine(_dir, "none.conf"), "x", "none");
        Assert.Equal("no file", found.All[^1].Found);
        File.CreateSymbolicLink(Path.Combine(_dir, "link.conf"), path);
        found.Text(DriftKind.Pool, _local, Path.Combine(_dir, "link.conf"), "x", "link");
        Assert.Equal("a symlink (never followed)", found.All[^1].Found);
    }

    [Fact]
    public void A_pool_that_runs_as_root_is_told_on_its_own()
    {
        var found = new DriftFindings("a.test");
        var pool = Put("pool.conf", "[a]\nuser = a_site\ngroup = www-data\n");
        SiteDriftCheck.RunsAsRoot(_local, pool, pool, "a_site", found);
        Assert.Empty(found.All);
        Put("pool.conf", "[a]\nuser = root\n  group=\"0\" ; edited\n");
        SiteDriftCheck.RunsAsRoot(_local, pool, pool, "a_site", found);
        Assert.Equal(["runs as root (user = root)", "runs as root (group = 0)"], found.All.Select(d => d.Found));
        Assert.All(found.All, d => Assert.Equal(DriftKind.Pool, d.Kind));
    }

    [Fact]
    public void A_link_out_of_the_sites_folders_is_told_with_its_target_and_never_followed()
    {
        var site = Path.Combine(_dir, "sites", "a.test");
        Put("sites/a.test/files/ok.txt", "x");
        Put("sites/other/settings.php", "secret");
        File.CreateSymbolicLink(Path.Combine(site, "files", "inside"), "ok.txt");
        File.CreateSymbolicLink(Path.Combine(site, "files", "up"), "../files/ok.txt");
        File.CreateSymbolicLink(Path.Combine(site, "files", "passwd"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(site, "files", "sibling"), "../../other/settings.php");
        Directory.CreateSymbolicLink(Path.Combine(site, "etc"), "/etc");
        var found = new DriftFindings("a.test");
        SiteDriftCheck.Links(_local, [site], "", found);
        Assert.Equal(3, found.All.Count);
        Assert.All(found.All, d => Assert.Equal(DriftKind.Symlink, d.Kind));
        Assert.Contains(found.All, d => d.Where == Path.Combine(site, "files", "passwd") && d.Found == "/etc/passwd");
        Assert.Contains(found.All, d => d.Where == Path.Combine(site, "files", "sibling") && d.Found == "../../other/settings.php");
        Assert.Contains(found.All, d => d.Where == Path.Combine(site, "etc") && d.Found == "/etc");
    }

    [Fact]
    public void A_file_in_a_config_folder_that_no_record_accounts_for_is_extra_and_an_admins_folder_is_not()
    {
        var vhosts = Path.Combine(_dir, "vhost.d");
        var mine = Put("vhost.d/a.test.conf", "server {}\n");
        var handmade = Put("vhost.d/zz-handmade.conf", "server { listen 80; }\n");
        Directory.CreateDirectory(Path.Combine(vhosts, "platform_x"));
        var found = new DriftFindings("server_master");
        ServerDriftCheck.Extra(_local, vhosts, [mine], "", found);
        var d = Assert.Single(found.All);
        Assert.Equal((DriftKind.Extra, handmade), (d.Kind, d.Where));
        Assert.Contains("not yours", d.Fix);
    }

    [Fact]
    public void Owners_and_modes_are_compared_with_what_verify_sets()
    {
        var path = Put("settings.php", "<?php");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var owner = _local.OwnerOf(path)!.Value;
        var found = new DriftFindings("a.test");
        found.Owned(_local, path, path, owner.User, owner.Group, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        var d = Assert.Single(found.All);
        Assert.Equal((DriftKind.Mode, "0440", "0644"), (d.Kind, d.Expected, d.Found));
        found.Owned(_local, path, path, "nobody", owner.Group, null);
        Assert.Equal((DriftKind.Owner, $"nobody:{owner.Group}", $"{owner.User}:{owner.Group}"), (found.All[^1].Kind, found.All[^1].Expected, found.All[^1].Found));
    }

    [Fact]
    public void A_platforms_checksums_leave_out_the_sites_own_folders_uploads_settings_and_git_but_keep_shared_code()
    {
        Put("index.php", "<?php");
        Put("core/lib/Drupal.php", "<?php class Drupal {}");
        Put("sites/all/modules/x/x.module", "<?php");
        Put("sites/a.test/settings.php", "<?php $secret;");
        Put("sites/a.test/modules/own/own.module", "<?php");
        Put("sites/a.test/files/photo.jpg", "jpg");
        Put(".git/HEAD", "ref: refs/heads/main");
        Put("odd\nname.php", "<?php");
        var sums = PlatformSums.Compute(_local, _dir, new DrupalKind(false));
        Assert.Equal(["core/lib/Drupal.php", "index.php", "odd\nname.php", "sites/all/modules/x/x.module"], sums.Keys);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("<?php"u8)).ToLowerInvariant(), sums["index.php"]);

        Put("index.php", "<?php // changed");
        Put("added.php", "<?php");
        File.Delete(Path.Combine(_dir, "core/lib/Drupal.php"));
        var changes = PlatformSums.Compare(sums, PlatformSums.Compute(_local, _dir, new DrupalKind(false))).ToList();
        Assert.Equal(["added.php", "core/lib/Drupal.php", "index.php"], changes.Select(c => c.Path));
        Assert.Null(changes[0].Then);
        Assert.Null(changes[1].Now);
        Assert.NotEqual(changes[2].Then, changes[2].Now);
    }

    [Fact]
    public void What_no_verify_of_the_platform_sets_is_told_apart_from_its_code()
    {
        var drupal = PlatformSums.NotCode(new DrupalKind(false));
        Assert.Matches(drupal, "sites/a.test/modules/x.module");
        Assert.Matches(drupal, ".git/config");
        Assert.DoesNotMatch(drupal, "sites/all/modules/x.module");
        Assert.DoesNotMatch(drupal, "core/index.php");
        Assert.Matches(PlatformSums.NotCode(new WordPressKind()), "wp-config.php");
        Assert.DoesNotMatch(PlatformSums.SiteOwn(new DrupalKind(false)), "sites/all");
    }

    [Fact]
    public void The_baseline_is_private_and_reads_back_as_it_was_kept()
    {
        var home = Path.Combine(_dir, "home");
        var baseline = new PlatformBaseline(home);
        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["a b.php"] = new string('a', 64), ["odd\nname"] = new string('b', 64) };
        Assert.Null(baseline.Sums("platform_x"));
        baseline.Save("platform_x", sums, [new AegirPackage { Name = "views", Type = "module", Version = "1.0", Path = "modules/views" }]);
        Assert.Equal(sums, baseline.Sums("platform_x"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(baseline.SumsPath("platform_x")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(baseline.Folder));
        var then = baseline.Packages("platform_x")!;
        PlatformBaseline.Package[] now = [new("module", "views", "1.1", "modules/views"), new("module", "token", "2.0", "modules/token")];
        var changes = PlatformBaseline.Compare(then, now).ToList();
        Assert.Equal(["token", "views"], changes.Select(c => c.Name));
        Assert.Null(changes[0].Then);
        Assert.Equal(("1.0", "1.1"), (changes[1].Then!.Version, changes[1].Now!.Version));
        baseline.Remove("platform_x");
        Assert.Null(baseline.Sums("platform_x"));
    }

    [Fact]
    public void Records_cut_anywhere_by_the_stream_come_whole()
    {
        var records = new List<string>();
        using var sink = new NulRecords(records.Add);
        var bytes = "one\0two words\0th"u8.ToArray();
        foreach (var b in bytes) sink.Write([b], 0, 1);
        sink.Write("ree\0"u8.ToArray());
        Assert.Equal(["one", "two words", "three"], records);
        Assert.Equal(0, sink.Pending);
    }

    void Git(params string[] args)
    {
        var result = _local.Run(new CommandSpec("git", ["-C", _dir, "-c", "user.name=t", "-c", "user.email=t@t", .. args]));
        Assert.True(result.Succeeded, result.Summary());
    }

    [Fact]
    public void A_git_platform_tells_what_changed_since_its_commit_but_not_in_the_sites_folders()
    {
        Put("index.php", "<?php");
        Put("lib/a.php", "<?php");
        Git("init", "-q");
        Git("add", "-A");
        Git("commit", "-qm", "first");
        var commit = _local.Run(new CommandSpec("git", ["-C", _dir, "rev-parse", "HEAD"])).StandardOutput.Trim();
        var kind = new DrupalKind(false);

        var clean = new DriftFindings("platform_x");
        PlatformGit.Check(_local, _dir, commit, kind, clean, "root");
        Assert.Empty(clean.All);

        Put("lib/a.php", "<?php // changed");
        Put("new.php", "<?php");
        Put("sites/a.test/files/photo.jpg", "jpg");
        File.Delete(Path.Combine(_dir, "index.php"));
        var found = new DriftFindings("platform_x");
        PlatformGit.Check(_local, _dir, "0123456789abcdef0123456789abcdef01234567", kind, found, "root");
        Assert.Equal($"commit {commit}", found.All.Single(d => d.Where == _dir).Found);
        Assert.Equal("changed", found.All.Single(d => d.Where == Path.Combine(_dir, "lib/a.php")).Found);
        Assert.Equal("deleted", found.All.Single(d => d.Where == Path.Combine(_dir, "index.php")).Found);
        Assert.Equal("a file git does not know (added)", found.All.Single(d => d.Where == Path.Combine(_dir, "new.php")).Found);
        Assert.Equal(4, found.All.Count);
    }
    [Fact]
    public void A_git_platform_is_read_as_its_owner_so_programs_its_config_names_never_run_as_root()
    {
        Put("index.php", "<?php");
        Put(".gitattributes", "*.php filter=evil");
        Git("init", "-q");
        Git("add", "-A");
        Git("commit", "-qm", "first");
        var marker = _dir + ".ran";
        // What the code's owner may write into its repository's config: programs git status would run.
        Git("config", "core.fsmonitor", $"sh -c 'id -u >> {marker}'");
        Git("config", "filter.evil.clean", $"sh -c 'id -u >> {marker}; cat'");
        Put("index.php", "<?php // edited");
        _local.Run(new CommandSpec("chmod", ["-R", "a+rX", _dir]));
        var found = new DriftFindings("platform_x");
        PlatformGit.Check(_local, _dir, null, new DrupalKind(false), found, "nobody");
        try
        {
            Assert.Contains(found.All, d => d.Where == Path.Combine(_dir, "index.php"));
            var ran = File.Exists(marker) ? File.ReadAllLines(marker) : [];
            Assert.DoesNotContain("0", ran);
        }
        finally { File.Delete(marker); }
    }
}
