using System.Diagnostics;
using Aegir.Core.Contexts;

namespace Aegir.Core.Tests;

/// <summary>Real processes: a writer killed mid-write, and two writers racing for the same names.</summary>
public class ConcurrencyTests
{
    static Process StartWriter(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [Fact]
    public void A_writer_killed_mid_write_never_leaves_a_broken_file()
    {
        using var home = new TestHome();
        home.Store.Create(home.Site("hammer.example"));
        var random = new Random(42);
        int sizes = 0;
        for (int round = 0; round < 6; round++)
        {
            using var writer = StartWriter("hammer", home.Path, "hammer.example");
            Assert.Equal("started", writer.StandardOutput.ReadLine());
            Thread.Sleep(random.Next(20, 120));
            writer.Kill();
            writer.WaitForExit();

            var site = new ContextStore(home.Path).GetFresh<AegirSite>("hammer.example", "Uri");   // throws if half-written
            Assert.Contains(site.Aliases.Count, new[] { 0, 3, 400 });
            sizes |= site.Aliases.Count == 400 ? 1 : site.Aliases.Count == 3 ? 2 : 0;
        }
        Assert.Empty(home.Store.List(ContextType.Site).Errors);
        Assert.NotEqual(0, sizes);

        home.Store.Modify<AegirSite>("hammer.example", "Uri", s => s.Language = "de");   // the next write sweeps leftovers
        Assert.Empty(Directory.GetFiles(home.Store.ContextsPath, ".tmp-*"));
    }

    [Fact]
    public void Two_processes_writing_at_once_keep_every_rule()
    {
        using var home = new TestHome();
        const int count = 40;
        using var a = StartWriter("create", home.Path, "a", count.ToString());
        using var b = StartWriter("create", home.Path, "b", count.ToString());
        Assert.True(a.WaitForExit(120_000) && b.WaitForExit(120_000));
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(0, b.ExitCode);
        int createdA = int.Parse(a.StandardOutput.ReadToEnd().Trim());
        int createdB = int.Parse(b.StandardOutput.ReadToEnd().Trim());

        var listing = home.Store.List(ContextType.Site);
        Assert.Empty(listing.Errors);
        Assert.Equal(count, listing.Contexts.Count);     // each shared alias went to exactly one site
        Assert.Equal(count, createdA + createdB);
        for (int i = 0; i < count; i++)
            Assert.True(home.Store.Exists($"a{i}.example") ^ home.Store.Exists($"b{i}.example"));
    }
}
