using System.Text.RegularExpressions;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Site;
using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>What a user reads of a failure is in the catalogue's words: never a .NET exception's type or its "One or more errors occurred".</summary>
public partial class MessageTests
{
    [GeneratedRegex(@"\b[A-Z][A-Za-z]*Exception\b|One or more errors occurred")] private static partial Regex Raw();

    /// <summary>The task's error and every line of its log a user sees (debug lines, for the module's faults, say where).</summary>
    static void AssertInWords(AegirTask task, string where)
    {
        Assert.False(Raw().IsMatch(task.Error ?? ""), $"{where}: its error is raw: {task.Error}");
        foreach (var line in task.Log.Where(e => e.Level != TaskLogLevel.Debug))
            Assert.False(Raw().IsMatch(line.Message), $"{where}: its log is raw: {line.Message}");
    }

    public static IEnumerable<object[]> Faults()
    {
        // Parallel work failing in two ways, in one way, a fault of the module, and a program's failure.
        var kinds = new Func<Exception>[]
        {
            () => new AggregateException(new IOException("no answer from 127.0.0.1:80 for a.test"), new TimeoutException()),
            () => new AggregateException(new AggregateException(new IOException("disk full"))),
            () => new NullReferenceException(),
            () => new InvalidOperationException("the program was not found"),
        };
        foreach (var scenario in OperationScenario.All)
            for (int k = 0; k < kinds.Length; k++) yield return [scenario, k, kinds[k]];
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_fault_of_any_kind_at_the_first_or_last_change_reaches_the_user_in_words(OperationScenario scenario, int kind, Func<Exception> fault)
    {
        int steps;
        using (var clean = new FakeHosting())
        {
            scenario.Setup(clean);
            steps = clean.Run(scenario.Parameters(clean)).Task.Journal.Count;
        }
        foreach (var step in new[] { 1, steps }.Distinct())
        {
            using var hosting = new FakeHosting();
            scenario.Setup(hosting);
            hosting.Runner.Faults = (s, _, after) => s == step && !after ? fault() : null;
            var task = hosting.Run(scenario.Parameters(hosting)).Task;
            Assert.Equal(AegirTaskStatus.Failed, task.Status);
            AssertInWords(task, $"{scenario}, fault {kind} before step {step}");
        }
    }

    [Fact]
    public void The_page_checks_after_a_batch_reload_name_each_site_that_did_not_answer()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var batched = new Engine(hosting.Store, null, new ReloadBatch(), hosting, hosting);
        foreach (var uri in new[] { "a.test", "b.test", "c.test" })
            Assert.True(batched.Run(new InstallSite.Parameters(uri, null, null, new SiteDefinition(uri, "php"))).Succeeded);
        hosting.Server.Unanswered["a.test"] = hosting.Server.Unanswered["c.test"] = int.MaxValue;
        // The reload names the sites that did not answer; those the batch made are then removed again, with one more reload.
        var tasks = batched.FlushReloads();
        Assert.Equal(["reload", "delete", "delete", "reload"], tasks.Select(t => t.Type));
        var reload = tasks[0];
        Assert.Equal((AegirTaskStatus.Failed, "SiteBroken"), (reload.Status, reload.ErrorId));
        Assert.Contains("2 site(s) changed in this batch do not work: a.test: it did not answer (no answer from", reload.Error);
        Assert.Contains("; c.test: it did not answer (no answer from", reload.Error);
        Assert.Contains(reload.Log, e => e.Message == "b.test answers as it should.");
        AssertInWords(reload, "the batch reload");
    }

    [Fact]
    public void A_page_left_unanswered_once_is_asked_again_as_a_browser_does()
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var batched = new Engine(hosting.Store, null, new ReloadBatch(), hosting, hosting);
        Assert.True(batched.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php"))).Succeeded);
        hosting.Server.Unanswered["a.test"] = 1;
        var reload = Assert.Single(batched.FlushReloads());
        Assert.True(reload.Status == AegirTaskStatus.Succeeded, reload.Error);
        Assert.Equal(0, hosting.Server.Unanswered["a.test"]);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void A_page_left_unanswered_by_a_reload_beside_it_is_asked_again_later_each_time_before_it_counts(int unanswered, bool works)
    {
        using var hosting = new FakeHosting();
        hosting.Platform("php", "php");
        var batched = new Engine(hosting.Store, null, new ReloadBatch(), hosting, hosting);
        Assert.True(batched.Run(new InstallSite.Parameters("a.test", null, null, new SiteDefinition("a.test", "php"))).Succeeded);
        hosting.Server.Unanswered["a.test"] = unanswered;
        var reload = batched.FlushReloads()[0];
        Assert.Equal(works, reload.Status == AegirTaskStatus.Succeeded);
    }
}
