using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations.Platform;
using Aegir.Core.Platforms;

namespace Aegir.Core.Tests;

public class GitSourceTests
{
    [Theory]
    [InlineData("/srv/git/shop.git")]
    [InlineData("file:///srv/git/shop.git")]
    [InlineData("ssh://git@git.example.com:2222/web/shop.git")]
    [InlineData("git@git.example.com:web/shop.git")]
    [InlineData("git.example.com:web/shop.git")]
    [InlineData("https://git.example.com/web/shop.git")]
    public void An_address_git_clones_from_is_taken(string url) => Assert.Equal(url, GitSource.CheckUrl(url));

    [Theory]
    [InlineData("https://deploy:s3cret@git.example.com/web/shop.git", "credential helper")]
    [InlineData("https://ghp_s3cret@git.example.com/web/shop.git", "credential helper")]
    [InlineData("ssh://git:s3cret@git.example.com/web/shop.git", "ssh key")]
    [InlineData("http://git.example.com/web/shop.git", "https or ssh")]
    [InlineData("ext::sh -c touch% /tmp/pwned", "Give an ssh url")]
    [InlineData("fd::3", "Give an ssh url")]
    [InlineData("--upload-pack=touch /tmp/pwned", "Give an ssh url")]
    [InlineData("shop.git", "Give an ssh url")]
    [InlineData("/srv/git/../../etc", "Give an ssh url")]
    [InlineData("file://otherhost/srv/shop.git", "ssh url")]
    [InlineData("ftp://git.example.com/shop.git", "Give an ssh url")]
    [InlineData("https://git.example.com/web/shop.git?access_token=s3cret", "credential helper")]
    [InlineData("https://git.example.com/web/shop.git#s3cret", "credential helper")]
    [InlineData("ssh://git@git.example.com/web/shop.git?s3cret", "credential helper")]
    public void An_address_with_a_secret_or_that_runs_a_program_is_refused_without_showing_the_secret(string url, string fix)
    {
        var ex = Assert.Throws<AegirException>(() => GitSource.CheckUrl(url));
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains(fix, ex.Message);
        Assert.DoesNotContain("s3cret", ex.Message + ex.Target);
    }

    [Theory]
    [InlineData("v1.2.0")]
    [InlineData("release/10.3")]
    [InlineData("main")]
    [InlineData("0123abc")]
    public void A_tag_branch_or_commit_is_a_ref(string value) => Assert.Equal(value, GitSource.CheckRef(value));

    [Theory]
    [InlineData("-n")]
    [InlineData("--upload-pack=x")]
    [InlineData("main..v2")]
    [InlineData("HEAD@{1}")]
    [InlineData("v1^{tree}")]
    [InlineData("release/")]
    [InlineData("v1.lock")]
    [InlineData("a b")]
    public void A_ref_git_would_read_as_an_option_or_an_expression_is_refused(string value)
        => Assert.Contains("Give the tag", Assert.Throws<AegirException>(() => GitSource.CheckRef(value)).Message);

    [Theory]
    [InlineData("HEAD")]
    [InlineData("@")]
    public void A_ref_naming_the_default_branch_is_refused_as_a_moving_target(string value)
    {
        var message = Assert.Throws<AegirException>(() => GitSource.CheckRef(value)).Message;
        Assert.Contains("moving target", message);
        Assert.Contains("Give the tag", message);
    }

    [Fact]
    public void A_composer_failure_says_its_last_meaningful_lines_without_its_usage_text()
    {
        var usage = string.Join('\n', Enumerable.Range(0, 40).Select(i => $"  --option-{i}  what it does"));
        var said = BuildShell.ComposerError(new Transport.CommandResult(1, "", "\n  [RuntimeException]\n  The lock file is broken\n\ninstall [--prefer-source] [--dry-run] [--] [<packages>...]\n\n" + usage, TimeSpan.Zero));
        Assert.Equal("[RuntimeException]\nThe lock file is broken", said);
    }

    [Fact]
    public void Only_a_full_commit_id_is_recorded()
    {
        Assert.True(GitSource.IsCommit(new string('a', 40)));
        Assert.True(GitSource.IsCommit(new string('0', 64)));
        Assert.False(GitSource.IsCommit("0123abc"));
        Assert.Throws<AegirException>(() => GitSource.CheckCommit("v1"));
        Assert.True(GitSource.MayBeCommit("0123abc"));
        Assert.False(GitSource.MayBeCommit("v1"));
    }

    [Fact]
    public void A_repository_of_the_server_is_known_by_its_path()
    {
        Assert.Equal("/srv/git/shop.git", GitSource.LocalPath("/srv/git/shop.git"));
        Assert.Equal("/srv/git/my shop", GitSource.LocalPath("file:///srv/git/my%20shop"));
        Assert.Null(GitSource.LocalPath("git@git.example.com:web/shop.git"));
    }

    [Fact]
    public void A_built_platform_keeps_its_url_ref_and_commit_in_its_record()
    {
        using var home = new TestHome();
        var platform = new PlatformDefinition("shop", "/srv/shop", Git: "git@git.example.com:web/shop.git", Ref: "v2.0.0", Composer: true).ToPlatform();
        platform.Commit = new string('c', 40);
        home.Store.Create(platform);

        var read = new ContextStore(home.Path).Get<AegirPlatform>("platform_shop", "Name");
        Assert.Equal(("git@git.example.com:web/shop.git", "v2.0.0", new string('c', 40)), (read.Git, read.Ref, read.Commit));
        Assert.Contains("git_commit: " + new string('c', 40), File.ReadAllText(read.Path!));
    }

    [Fact]
    public void A_record_with_a_password_in_its_url_does_not_read()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirPlatform("platform_shop") { Root = "/srv/shop" });
        var path = Path.Combine(home.Store.ContextsPath, "platform_shop.yml");
        File.AppendAllText(path, "git: https://deploy:s3cret@git.example.com/shop.git\n");
        var ex = Assert.ThrowsAny<AegirException>(() => new ContextStore(home.Path).Get<AegirPlatform>("platform_shop", "Name"));
        Assert.DoesNotContain("s3cret", ex.Message);
    }

    [Fact]
    public void The_manifest_names_build_commands_as_lists_of_words()
    {
        var manifest = AppManifest.Parse("name: Shop\nbuild:\n  - [php, bin/build.php, '{root}']\n  - [npm, run, build]\n", "/srv/shop/.aegir.yml");
        Assert.Equal([["php", "bin/build.php", "{root}"], ["npm", "run", "build"]], manifest.Build.Select(c => c.ToArray()).ToArray());
        Assert.Empty(AppManifest.Parse("name: Shop", "m.yml").Build);
    }

    [Theory]
    [InlineData("build: [php, bin/build.php]", "must be a list of commands")]
    [InlineData("build: php bin/build.php", "must be a list of commands")]
    [InlineData("build:\n  - ['{root}/build.sh']", "must begin with a program")]
    [InlineData("build:\n  - [php, build.php, '{uri}']", "{uri}, which is not one of {root}, {tmp}")]
    [InlineData("build:\n  - []", "must name a program first")]
    public void A_build_that_is_not_a_list_of_commands_names_its_line(string yaml, string problem)
    {
        var ex = Assert.Throws<AegirException>(() => AppManifest.Parse("name: Shop\n" + yaml + "\n", "/srv/shop/.aegir.yml"));
        Assert.Contains("/srv/shop/.aegir.yml", ex.Message);
        Assert.Contains(problem, ex.Message);
    }
}
