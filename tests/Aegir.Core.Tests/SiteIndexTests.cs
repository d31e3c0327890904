using Aegir.Core.Contexts;

namespace Aegir.Core.Tests;

public class SiteIndexTests
{
    [Fact]
    public void A_first_look_over_many_records_reads_them_all_at_once_and_later_looks_see_each_change()
    {
        using var made = new TestHome();
        for (var i = 0; i < 80; i++)
            made.Store.Create(new AegirSite($"s{i}.example")
            {
                PlatformName = "wp", Aliases = [$"www.s{i}.example"], Https = i % 2 == 0 ? HttpsMode.Required : HttpsMode.Disabled, CertificateSource = CertificateSource.LetsEncrypt,
            });
        // The same records in a store no index has seen: its first look is the bulk one.
        using var home = new TestHome(seed: false);
        Directory.CreateDirectory(home.Store.ContextsPath);
        foreach (var file in Directory.EnumerateFiles(made.Store.ContextsPath)) File.Copy(file, Path.Combine(home.Store.ContextsPath, Path.GetFileName(file)));

        var index = SiteIndex.For(home.Store.ContextsPath);
        var all = index.All(home.Store).ToDictionary(c => c.Name);
        Assert.Equal(80, all.Count);
        Assert.Equal(["s7.example", "www.s7.example"], all["s7.example"].HostNames);
        Assert.True(all["s8.example"].Acme);
        Assert.False(all["s7.example"].Acme);

        home.Store.Modify<AegirSite>("s7.example", "Uri", s => s.Aliases = ["shop.s7.example"]);
        File.WriteAllText(home.Store.PathOf("s9.example"), "type: site\nname: [broken");   // in place: a sweep sees it
        all = index.All(home.Store, sweep: true).ToDictionary(c => c.Name);
        Assert.Equal(79, all.Count);
        Assert.Equal(["s7.example", "shop.s7.example"], all["s7.example"].HostNames);
    }
}
