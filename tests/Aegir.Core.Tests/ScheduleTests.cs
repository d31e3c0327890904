using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Schedules;

namespace Aegir.Core.Tests;

public class ScheduleTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("2d", 172800)]
    [InlineData("1w", 604800)]
    public void Intervals_read_as_a_number_and_a_unit(string text, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), Interval.Parse("CronInterval", text));

    [Theory]
    [InlineData("1")]
    [InlineData("h")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("2s")]
    [InlineData("1y")]
    public void Intervals_that_do_not_read_are_refused_naming_the_form(string text)
        => Assert.Contains("such as 1h or 30m", Assert.Throws<AegirException>(() => Interval.Parse("CronInterval", text)).Message);

    [Fact]
    public void Each_site_has_its_own_moment_in_the_interval_and_the_same_one_every_time()
    {
        var hour = TimeSpan.FromHours(1);
        var slots = Enumerable.Range(0, 100).Select(i => Interval.LastSlot($"cron:s{i}.example", hour, Now)).ToList();
        Assert.All(slots, s => Assert.InRange(s, Now - hour, Now));
        // Spread: the hundred moments fall in at least 6 of the hour's 10-minute stretches.
        Assert.True(slots.Select(s => (int)((Now - s).TotalMinutes / 10)).Distinct().Count() >= 6);
        Assert.Equal(slots[7], Interval.LastSlot("cron:s7.example", hour, Now));
        // An hour later, the next moment of the same site.
        Assert.Equal(slots[7] + hour, Interval.LastSlot("cron:s7.example", hour, Now + hour));
    }

    static AegirSite Site(SiteStatus status = SiteStatus.Installed, string? cron = null)
        => new("a.example") { PlatformName = "wp", Status = status, CronInterval = cron };

    [Fact]
    public void A_failed_cron_or_one_not_run_for_two_intervals_makes_a_site_unhealthy()
    {
        Assert.True(SiteHealth.Of(Site(), new SiteState { CronLast = Now.AddMinutes(-90), CronSucceeded = true }, Now).Healthy);
        var failed = SiteHealth.Of(Site(), new SiteState { CronLast = Now.AddMinutes(-5), CronSucceeded = false, CronError = "exit code 3: boom" }, Now);
        Assert.False(failed.Healthy);
        Assert.Contains("failed: exit code 3: boom", Assert.Single(failed.Problems));
        var stale = SiteHealth.Of(Site(), new SiteState { CronLast = Now.AddHours(-3), CronSucceeded = true }, Now);
        Assert.Contains("has not run since", Assert.Single(stale.Problems));
        Assert.True(SiteHealth.Of(Site(cron: "1d"), new SiteState { CronLast = Now.AddHours(-3), CronSucceeded = true }, Now).Healthy);
    }

    [Fact]
    public void A_disabled_site_or_one_with_cron_off_expects_no_cron()
    {
        var never = new SiteState();
        Assert.True(SiteHealth.Of(Site(SiteStatus.Disabled), new SiteState { CronLast = Now.AddDays(-9), CronSucceeded = false }, Now).Healthy);
        Assert.True(SiteHealth.Of(Site(cron: "off"), never, Now).Healthy);
        Assert.True(SiteHealth.Of(Site(SiteStatus.NotInstalled), never, Now).Healthy);
    }

    [Theory]
    [InlineData("01:00-05:00", "03:00", true)]
    [InlineData("01:00-05:00", "05:00", false)]
    [InlineData("22:00-04:00", "23:30", true)]
    [InlineData("22:00-04:00", "02:00", true)]
    [InlineData("22:00-04:00", "12:00", false)]
    public void A_backup_window_may_span_midnight(string window, string at, bool inside)
    {
        var local = DateTime.Today.Add(TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture).ToTimeSpan());
        Assert.Equal(inside, BackupWindow.Parse(window).Contains(new DateTimeOffset(local)));
    }

    [Theory]
    [InlineData("1-5")]
    [InlineData("01:00")]
    [InlineData("03:00-03:00")]
    public void Backup_windows_that_do_not_read_are_refused(string text)
        => Assert.Throws<AegirException>(() => BackupWindow.Parse(text));

    [Fact]
    public void A_site_record_keeps_its_schedules_and_refuses_bad_ones()
    {
        var site = Site(cron: "30m");
        site.BackupInterval = "1d";
        site.BackupRetention = "7d:1d,30d:7d";
        site.StatisticsInterval = "off";
        Assert.Equal(("30m", "1d", "7d:1d,30d:7d", "off"), (site.CronInterval, site.BackupInterval, site.BackupRetention, site.StatisticsInterval));
        Assert.Throws<AegirException>(() => site.CronInterval = "often");
        Assert.Throws<AegirException>(() => site.BackupRetention = "7d");
        site.CronInterval = "";
        Assert.Null(site.CronInterval);
    }

    [Fact]
    public void A_cron_interval_is_refused_for_an_application_without_a_cron_and_nothing_changes()
    {
        using var h = new FakeHosting();
        h.Platform("php", "php");
        h.Store.Create(new AegirSite("p.test") { PlatformName = "platform_php" });
        h.Platform("wp", "wordpress");
        h.Store.Create(new AegirSite("w.test") { PlatformName = "platform_wp" });
        var before = h.Shape();
        // Set-AegirSite checks before it applies, as here.
        var refused = Assert.Throws<AegirException>(() => Operations.Site.SiteUpdate.Check(h.Engine, "p.test", new Operations.Site.SiteChanges { CronInterval = "1m" }));
        Assert.Contains("has no cron command", refused.Message);
        Assert.Equal(before, h.Shape());
        Operations.Site.SiteUpdate.Check(h.Engine, "p.test", new Operations.Site.SiteChanges { CronInterval = "off" });
        Assert.Equal("30m", Operations.Site.SiteUpdate.Check(h.Engine, "w.test", new Operations.Site.SiteChanges { CronInterval = "30m" }).CronInterval);
    }
}

public class ApplicationNumbersTests
{
    /// <summary>The site's database as its own account reaches it.</summary>
    static readonly Services.Http.SiteDatabase Site = new("mysql", "127.0.0.1", 3306, "site", "site", "Site-Pass-1");

    static (FakeDb Db, FakeDbState State) Db()
    {
        var state = new FakeDbState();
        state.Databases.Add("site");
        state.Users["site"] = ("Site-Pass-1", "site", ["127.0.0.1"]);
        return (new FakeDb(new AegirServer(ContextNames.Master), state), state);
    }

    [Fact]
    public void Drupal_cron_urls_carry_the_key_the_site_keeps()
    {
        var (db, state) = Db();
        state.Answers["system.cron_key"] = [["s:12:\"Key-0f-Site1\";"u8.ToArray()]];
        state.Answers["name = 'cron_key'"] = [["s:7:\"k7/+key\";"]];
        Assert.Equal("/cron/Key-0f-Site1", new Platforms.DrupalKind(seven: false).CronPath(db, Site));
        Assert.Equal("/cron.php?cron_key=k7%2F%2Bkey", new Platforms.DrupalKind(seven: true).CronPath(db, Site));
        state.Answers["system.cron_key"] = [["a:0:{}"]];
        Assert.Null(new Platforms.DrupalKind(seven: false).CronPath(db, Site));
        state.Answers["system.cron_key"] = [];
        Assert.Null(new Platforms.DrupalKind(seven: false).CronPath(db, Site));
    }

    [Fact]
    public void WordPress_counts_its_users_published_posts_and_approved_comments()
    {
        var (db, state) = Db();
        state.Answers["FROM wp_users"] = [[3L]];
        state.Answers["FROM wp_posts"] = [[12L]];
        state.Answers["FROM wp_comments"] = [[5L]];
        Assert.Equal(new Platforms.SiteCounts(3, null, 12, 5), new Platforms.WordPressKind().Counts(db, Site));
        // Read as the site's own account: with another password, the numbers are not there to read.
        Assert.Equal(new Platforms.SiteCounts(null, null, null, null), new Platforms.WordPressKind().Counts(db, Site with { Password = "wrong" }));
    }

    [Fact]
    public void A_continuous_worker_spreads_a_first_round_over_one_interval_and_a_run_once_runs_it_now()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);
        var hour = TimeSpan.FromHours(1);
        var now = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var moment = Interval.LastSlot("cron:blog.test", hour, now) + hour;   // the site's own moment, after Now
        Assert.Contains(new SiteSchedules(hosting.Engine, ScheduleKinds.Cron).Due(now), w => w.Key == "cron:blog.test");
        var spread = new SiteSchedules(hosting.Engine, ScheduleKinds.Cron) { SpreadFrom = now };
        Assert.DoesNotContain(spread.Due(now), w => w.Key == "cron:blog.test");
        Assert.Equal(moment, spread.NextDue);
        Assert.Contains(spread.Due(moment), w => w.Key == "cron:blog.test");
    }
}
