using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.IO;

namespace Aegir.Core.Tests;

/// <summary>The site index kept with the records (contexts/.index/sites.bin): written with them, and never trusted past a change it did not see.</summary>
public class SiteIndexFileTests
{
    static (Posix.FileVersion Stamp, DateTimeOffset Swept, Dictionary<string, SiteIndexFile.Entry> Entries) OnDisk(ContextStore store)
        => SiteIndexFile.Read(SiteIndex.PathIn(store.ContextsPath)) ?? throw new InvalidOperationException("no readable index");

    /// <summary>A record as another tool would write it: the module's text of that site, put in place with no lock and no index.</summary>
    static void WriteByHand(ContextStore store, AegirSite site)
        => File.WriteAllText(store.PathOf(site.Name), ContextSerializer.Serialize(site));

    [Fact]
    public void The_index_is_written_with_each_record_and_stamped_with_the_folder_it_agrees_with()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example", "www.a.example"));
        var disk = OnDisk(home.Store);
        Assert.Equal(["a.example", "www.a.example"], disk.Entries["a.example"].Claims.HostNames);
        Assert.Equal(Posix.Version(home.Store.ContextsPath), disk.Stamp);
        Assert.Equal(Posix.Version(home.Store.PathOf("a.example")), disk.Entries["a.example"].Version);

        home.Store.Create(home.Site("b.example"));
        home.Store.Modify<AegirSite>("a.example", "Uri", s => { s.Aliases = ["shop.a.example"]; s.DbName = "aexample"; });
        home.Store.Create(new AegirClient("client_acme"));   // another kind of record keeps the index's stamp current too
        disk = OnDisk(home.Store);
        Assert.Equal(Posix.Version(home.Store.ContextsPath), disk.Stamp);
        Assert.Equal(["a.example", "shop.a.example"], disk.Entries["a.example"].Claims.HostNames);
        Assert.Equal(("server_master", "aexample"), (disk.Entries["a.example"].Claims.DbServerName, disk.Entries["a.example"].Claims.DbName));

        home.Store.Remove("b.example");
        disk = OnDisk(home.Store);
        Assert.False(disk.Entries.ContainsKey("b.example"));
        Assert.Equal(Posix.Version(home.Store.ContextsPath), disk.Stamp);
        // The checks go by it: a taken alias and a claimed database are refused, a free name is not.
        Assert.Equal("HostNameTaken", Assert.Throws<AegirException>(() => home.Store.Create(home.Site("shop.a.example"))).ErrorId);
        Assert.Throws<AegirException>(() => home.Store.Create(new AegirSite("c.example") { PlatformName = "wp", DbName = "aexample" }));
        home.Store.Create(home.Site("www.a.example"));   // a's old alias is free again
    }

    [Fact]
    public void A_record_written_by_hand_that_takes_a_host_name_is_seen_and_the_duplicate_refused()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example"));
        WriteByHand(home.Store, home.Site("b.example", "shop.example"));
        // The folder changed under the index: the next check reads what changed, and refuses.
        var ex = Assert.Throws<AegirException>(() => home.Store.Create(home.Site("shop.example")));
        Assert.Equal("HostNameTaken", ex.ErrorId);
        Assert.Contains("b.example", ex.Message);
        Assert.True(OnDisk(home.Store).Entries.ContainsKey("b.example"));

        // Changed in place (the folder as it was): the next sweep (each schedule round's, each verify's) sees it.
        using (var stream = new FileStream(home.Store.PathOf("a.example"), FileMode.Truncate, FileAccess.Write))
            stream.Write(System.Text.Encoding.UTF8.GetBytes(ContextSerializer.Serialize(home.Site("a.example", "blog.example"))));
        _ = SiteIndex.For(home.Store.ContextsPath).All(home.Store, sweep: true);
        ex = Assert.Throws<AegirException>(() => home.Store.Create(home.Site("blog.example")));
        Assert.Contains("a.example", ex.Message);
    }

    [Fact]
    public void A_writer_killed_between_its_record_and_the_index_leaves_an_index_the_next_look_rebuilds()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("a.example"));
        var index = SiteIndex.PathIn(home.Store.ContextsPath);
        var before = File.ReadAllBytes(index);
        home.Store.Create(home.Site("b.example", "shop.example"));
        // As if the writer died after its record: the index on disk is the one from before, its stamp the folder's then.
        File.WriteAllBytes(index, before);
        Assert.False(OnDisk(home.Store).Entries.ContainsKey("b.example"));

        var ex = Assert.Throws<AegirException>(() => home.Store.Create(home.Site("shop.example")));
        Assert.Contains("b.example", ex.Message);
        var disk = OnDisk(home.Store);
        Assert.True(disk.Entries.ContainsKey("b.example"));
        Assert.Equal(Posix.Version(home.Store.ContextsPath), disk.Stamp);

        // A damaged index reads as none, and is made again.
        File.WriteAllBytes(index, before[..(before.Length / 2)]);
        Assert.Throws<AegirException>(() => home.Store.Create(home.Site("shop.example")));
        Assert.Equal(2, OnDisk(home.Store).Entries.Count);
    }

    [Fact]
    public void Verify_rebuilds_an_index_that_disagrees_with_the_records_and_says_so_in_its_log()
    {
        using var hosting = new FakeHosting();
        var store = hosting.Home.Store;
        var master = new Operations.Server.VerifyServer.Parameters(ContextNames.Master);
        Assert.True(hosting.Run(master).Succeeded);   // the first look makes the index

        store.Create(new AegirPlatform("platform_hand") { Root = "/var/aegir/platforms/hand" });
        WriteByHand(store, new AegirSite("hand.example") { PlatformName = "hand", Aliases = ["www.hand.example"] });
        var outcome = hosting.Run(master);
        Assert.True(outcome.Succeeded);
        var said = outcome.Task.Log.Where(l => l.Level == Tasks.TaskLogLevel.Warning).Select(l => l.Message).Single(m => m.Contains("site index"));
        Assert.Contains("hand.example", said);
        Assert.Contains("Rebuilt it from the files", said);
        Assert.True(OnDisk(store).Entries.ContainsKey("hand.example"));

        // Now they agree: nothing to say.
        outcome = hosting.Run(master);
        Assert.DoesNotContain(outcome.Task.Log, l => l.Message.Contains("site index disagreed"));
        // The index gone altogether: made again, and said.
        File.Delete(SiteIndex.PathIn(store.ContextsPath));
        Assert.Contains(hosting.Run(master).Task.Log, l => l.Message.Contains("no readable index"));
    }
}
