using System.Diagnostics;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Schedules;

namespace Aegir.Core.Tests;

/// <summary>A client's quota: its values, the limit on its number of sites (under racing creators too), and its disk use.</summary>
public class ClientQuotaTests
{
    [Theory]
    [InlineData("0", null)]
    [InlineData("", null)]
    [InlineData("1", 1)]
    [InlineData(" 25 ", 25)]
    public void A_site_count_is_a_whole_number_and_0_is_no_limit(string text, int? expected)
        => Assert.Equal(expected, QuotaValues.SiteCount("MaxSites", text));

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("ten")]
    [InlineData("1e3")]
    [InlineData("99999999999")]
    public void A_site_count_that_is_no_whole_number_is_refused_naming_the_fix(string text)
    {
        var ex = Assert.Throws<AegirException>(() => QuotaValues.SiteCount("MaxSites", text));
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains("not a whole number of sites", ex.Message);
        Assert.Contains("-MaxSites 10 (0 for no limit)", ex.Message);
    }

    [Theory]
    [InlineData("2GB", 2L << 30)]
    [InlineData("500MB", 500L << 20)]
    [InlineData("500mb", 500L << 20)]
    [InlineData("750K", 750L << 10)]
    [InlineData("1 TB", 1L << 40)]
    [InlineData("2147483648", 2L << 30)]   // PowerShell's unquoted 2GB reaches a string parameter as this
    [InlineData("100B", 100L)]
    [InlineData("0", null)]
    [InlineData("0GB", null)]
    public void A_disk_size_reads_in_binary_units(string text, long? bytes) => Assert.Equal(bytes, QuotaValues.DiskSize("DiskQuota", text));

    [Theory]
    [InlineData("2 gigs")]
    [InlineData("-5MB")]
    [InlineData("1.5GB")]
    [InlineData("2XB")]
    [InlineData("GB")]
    [InlineData("2000TB")]
    public void A_disk_size_that_does_not_read_is_refused_naming_the_form(string text)
    {
        var ex = Assert.Throws<AegirException>(() => QuotaValues.DiskSize("DiskQuota", text));
        Assert.Equal("InvalidValue", ex.ErrorId);
        Assert.Contains("such as 2GB, 500MB", ex.Message);
    }

    [Theory]
    [InlineData(2L << 30, "2GB", "2GB")]
    [InlineData(1536L << 20, "1536MB", "1.5GB")]
    [InlineData(1000, "1000", "1000B")]
    public void Sizes_are_written_exactly_and_shown_readably(long bytes, string exact, string shown)
    {
        Assert.Equal(exact, QuotaValues.Exact(bytes));
        Assert.Equal(shown, QuotaValues.Format(bytes));
        Assert.Equal(bytes, QuotaValues.DiskSize("disk_quota", exact));
    }

    [Fact]
    public void A_client_keeps_its_quota_in_its_record()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { MaxSites = 3, DiskQuota = 500L << 20 });
        var text = File.ReadAllText(home.Store.PathOf("client_acme"));
        Assert.Contains("max_sites: 3", text);
        Assert.Contains("disk_quota: 500MB", text);
        var read = new ContextStore(home.Path).GetFresh<AegirClient>("client_acme", "Name");
        Assert.Equal(3, read.MaxSites);
        Assert.Equal(500L << 20, read.DiskQuota);
        Assert.Throws<AegirException>(() => read.MaxSites = -1);
    }

    [Fact]
    public void A_client_takes_sites_up_to_its_limit_then_refuses_naming_it_its_sites_and_the_fix()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { MaxSites = 2 });
        home.Store.Create(Owned(home, "a.example"));
        home.Store.Create(Owned(home, "b.example"));
        var files = Directory.GetFiles(home.Store.ContextsPath).Order().ToList();

        var ex = Assert.Throws<AegirException>(() => home.Store.Create(Owned(home, "c.example")));
        Assert.Equal("ClientSiteLimit", ex.ErrorId);
        Assert.True(ex.NothingChanged);
        Assert.Contains("'@client_acme' may have 2 sites and has 2 (@a.example, @b.example)", ex.Message);
        Assert.Contains("'@c.example' would be one too many", ex.Message);
        Assert.Contains("Set-AegirClient acme -MaxSites 3", ex.Message);
        Assert.Equal(files, Directory.GetFiles(home.Store.ContextsPath).Order().ToList());
        // Check (what cmdlets run before asking) refuses the same way.
        Assert.Equal("ClientSiteLimit", Assert.Throws<AegirException>(() => home.Store.Check(Owned(home, "c.example"), isNew: true)).ErrorId);

        // A site of no client, or changes to a site already counted, are not held back.
        home.Store.Create(home.Site("c.example"));
        home.Store.Modify<AegirSite>("a.example", "Uri", s => s.Aliases = ["www.a.example"]);
        // Moving a site onto the full client is refused, its record left as it was.
        var before = File.ReadAllText(home.Store.PathOf("c.example"));
        Assert.Equal("ClientSiteLimit", Assert.Throws<AegirException>(() => home.Store.Modify<AegirSite>("c.example", "Uri", s => s.ClientName = "acme")).ErrorId);
        Assert.Equal(before, File.ReadAllText(home.Store.PathOf("c.example")));
        // With no limit it goes; a limit set below the count keeps the sites it has.
        home.Store.Modify<AegirClient>("client_acme", "Name", c => c.MaxSites = null);
        home.Store.Modify<AegirSite>("c.example", "Uri", s => s.ClientName = "acme");
        home.Store.Modify<AegirClient>("client_acme", "Name", c => c.MaxSites = 1);
        Assert.Equal(["a.example", "b.example", "c.example"], SiteIndex.SitesOf(home.Store, "client_acme").Order());
    }

    [Fact]
    public void An_undo_puts_a_removed_site_back_even_when_its_client_is_full_meanwhile()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { MaxSites = 1 });
        home.Store.Create(Owned(home, "a.example"));
        var saved = home.Store.ReadText("a.example")!;
        home.Store.Remove("a.example");
        home.Store.Create(Owned(home, "b.example"));
        home.Store.Recreate("a.example", saved);   // what the journal's undo of a removal does
        Assert.Equal(2, SiteIndex.SitesOf(home.Store, "client_acme").Count);
    }

    [Fact]
    public void Two_processes_creating_sites_at_once_never_pass_the_limit()
    {
        using var home = new TestHome();
        const int limit = 7, each = 10;
        home.Store.Create(new AegirClient("client_acme") { MaxSites = limit });
        using var a = StartCreator(home.Path, "a", each);
        using var b = StartCreator(home.Path, "b", each);
        Assert.True(a.WaitForExit(120_000) && b.WaitForExit(120_000));
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(0, b.ExitCode);
        var (createdA, refusedA) = Counts(a);
        var (createdB, refusedB) = Counts(b);

        Assert.Equal(limit, createdA + createdB);
        Assert.Equal(2 * each - limit, refusedA + refusedB);
        Assert.Equal(limit, SiteIndex.SitesOf(new ContextStore(home.Path), "client_acme").Count);
        Assert.Empty(home.Store.List(ContextType.Site).Errors);
    }

    [Fact]
    public void Two_creators_racing_for_the_last_place_one_gets_it()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { MaxSites = 2 });
        home.Store.Create(Owned(home, "first.example"));
        for (int round = 0; round < 5; round++)
        {
            using var start = new Barrier(2);
            var outcomes = new string[2];
            var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            {
                var store = new ContextStore(home.Path);
                start.SignalAndWait();
                try { store.Create(Owned(home, $"r{round}-{i}.example")); outcomes[i] = "created"; }
                catch (AegirException ex) { outcomes[i] = ex.ErrorId; }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Equal(["ClientSiteLimit", "created"], outcomes.Order());
            var taken = outcomes[0] == "created" ? $"r{round}-0.example" : $"r{round}-1.example";
            home.Store.Remove(taken);   // the place again free for the next round
        }
    }

    [Fact]
    public void A_clone_for_a_full_client_is_refused_before_any_task_and_a_rename_keeps_the_count()
    {
        using var hosting = new FakeHosting();
        OperationScenario.Installed(hosting);   // blog.test, installed
        hosting.Store.Create(new AegirClient("client_acme") { MaxSites = 1 });
        hosting.Engine.Edit<AegirSite>("blog.test", "Uri", s => s.ClientName = "acme");
        var before = hosting.Snapshot();
        var tasks = new Tasks.TaskStore(hosting.Home.Path).List().Count();
        var ex = Assert.Throws<AegirException>(() => hosting.Run(new Operations.Site.CloneSite.Parameters("blog.test", "copy.test")));
        Assert.Equal("ClientSiteLimit", ex.ErrorId);
        // Its plan (what -WhatIf and a queued clone compute) is refused too.
        Assert.Equal("ClientSiteLimit", Assert.Throws<AegirException>(() => hosting.Engine.Plan(new Operations.Site.CloneSite.Parameters("blog.test", "copy.test"))).ErrorId);
        Assert.Equal(before, hosting.Snapshot());
        Assert.Equal(tasks, new Tasks.TaskStore(hosting.Home.Path).List().Count());

        var rename = hosting.Run(new Operations.Site.RenameSite.Parameters("blog.test", "news.test"));
        Assert.True(rename.Succeeded, rename.Task.Error);
        Assert.Equal(["news.test"], SiteIndex.SitesOf(hosting.Store, "client_acme"));
    }

    [Fact]
    public void A_client_over_its_disk_quota_makes_each_of_its_sites_unhealthy()
    {
        using var home = new TestHome();
        home.Store.Create(new AegirClient("client_acme") { DiskQuota = 1L << 20 });
        home.Store.Create(Owned(home, "a.example"));
        home.Store.Create(Owned(home, "b.example"));
        home.Store.Create(home.Site("other.example"));
        var stats = new StatisticsStore(home.Path);
        var now = DateTimeOffset.UtcNow;
        stats.Add(new SiteStatistic("a.example", now.AddHours(-1), null, null, null, null, 50L << 20, 50L << 20));   // older: not counted
        stats.Add(new SiteStatistic("a.example", now, null, null, null, null, 400L << 10, 300L << 10));
        stats.Add(new SiteStatistic("other.example", now, null, null, null, null, 50L << 20, 50L << 20));   // no client of acme's

        var client = home.Store.GetFresh<AegirClient>("client_acme", "Name");
        var usage = ClientUsage.Of(home.Store, client);
        Assert.Equal((2, 1, 700L << 10, false), (usage.Sites, usage.Measured, usage.UsedBytes, usage.OverQuota));
        var site = home.Store.GetFresh<AegirSite>("b.example", "Uri");
        Assert.True(SiteHealth.Of(site, new SiteState(), now, usage).Healthy);

        stats.Add(new SiteStatistic("b.example", now, null, null, null, null, null, 400L << 10));
        usage = ClientUsage.OfSite(home.Store, site)!;
        Assert.True(usage.OverQuota);
        var health = SiteHealth.Of(site, new SiteState(), now, usage);
        Assert.False(health.Healthy);
        var problem = Assert.Single(health.Problems);
        Assert.Contains("'@client_acme' is over its disk quota: its sites take up 1.1MB of 1MB", problem);
        Assert.Contains("Set-AegirClient acme -DiskQuota 2MB", problem);
        Assert.Null(ClientUsage.OfSite(home.Store, home.Store.GetFresh<AegirSite>("other.example", "Uri")));
        // The fix it names is a value -DiskQuota takes, in the quota's own unit, above the use.
        home.Store.Modify<AegirClient>("client_acme", "Name", c => c.DiskQuota = 1000L << 10);
        var odd = ClientUsage.OfSite(home.Store, site)!.Problem!;
        Assert.Contains("Set-AegirClient acme -DiskQuota 1101KB", odd);
        Assert.Equal(1101L << 10, QuotaValues.DiskSize("DiskQuota", "1101KB"));
        Assert.True(ScheduledWork.IsWarning($"Statistics of b.example: ... Warning: b.example is unhealthy: {problem}."));
    }

    [Fact]
    public void The_newest_statistics_are_read_from_the_end_of_a_long_history_past_lines_that_do_not_read()
    {
        using var home = new TestHome(seed: false);
        var stats = new StatisticsStore(home.Path);
        Assert.Null(stats.Latest("a.example"));
        var start = DateTimeOffset.UtcNow.AddDays(-300);
        for (int day = 0; day < 300; day++)
            stats.Add(new SiteStatistic("a.example", start.AddDays(day), day, null, null, null, day * 10L, day * 100L));
        Assert.True(new FileInfo(Path.Combine(stats.Folder, "a.example.jsonl")).Length > 8192);
        File.AppendAllText(Path.Combine(stats.Folder, "a.example.jsonl"), "{not json\n");
        Assert.Equal((299L, 2990L), (stats.Latest("a.example")!.Users!.Value, stats.Latest("a.example")!.DatabaseBytes!.Value));
        Assert.Equal(stats.History("a.example")[0], stats.Latest("a.example"));

        // A tail with no whole line that reads: the whole history is read for the newest that does.
        stats.Add(new SiteStatistic("b.example", start, 7, null, null, null, 1, 2));
        File.AppendAllText(Path.Combine(stats.Folder, "b.example.jsonl"), new string('x', 10_000));
        Assert.Equal(7L, stats.Latest("b.example")!.Users);
    }

    static AegirSite Owned(TestHome home, string uri)
    {
        var site = home.Site(uri);
        site.ClientName = "acme";
        return site;
    }

    static Process StartCreator(string home, string prefix, int count)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(Program).Assembly.Location, "client-sites", home, prefix, count.ToString(), "acme" }) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    static (int Created, int Refused) Counts(Process p)
    {
        var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }
}
