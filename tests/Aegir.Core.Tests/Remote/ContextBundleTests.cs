using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Queues.Remote;

namespace Aegir.Core.Tests.Remote;

/// <summary>What the control machine takes back from a server's worker: only the task's own records, as sent.</summary>
public sealed class ContextBundleTests : IDisposable
{
    readonly TestHome _home = new();

    [Fact]
    public void A_change_to_a_record_the_task_does_not_hold_is_refused_whole_and_nothing_is_written()
    {
        var sent = ContextBundle.Collect(_home.Store, ["platform_wp"]);
        Assert.Contains("server_master", sent.Keys);   // given to the worker, as the platform names it
        var master = sent["server_master"].Replace("remote_host: localhost", "remote_host: evil.example");
        var platform = sent["platform_wp"] + "locked: true\n";
        var changes = new SortedDictionary<string, string?>(StringComparer.Ordinal) { ["platform_wp"] = platform, ["server_master"] = master };
        var ex = Assert.Throws<AegirException>(() => ContextBundle.TakeChanges(_home.Store, changes, new HashSet<string> { "platform_wp" }, "web1", sent));
        Assert.Contains("'server_master', which its task does not hold", ex.Message);
        Assert.Equal(sent["server_master"], _home.Store.ReadText("server_master"));
        Assert.Equal(sent["platform_wp"], _home.Store.ReadText("platform_wp"));
    }

    [Fact]
    public void A_held_record_changed_here_meanwhile_keeps_this_machines_text()
    {
        var sent = ContextBundle.Collect(_home.Store, ["platform_wp"]);
        _home.Store.Modify<AegirPlatform>("platform_wp", "Platform", p => p.Version = "9.9");
        var here = _home.Store.ReadText("platform_wp");
        var changes = new SortedDictionary<string, string?>(StringComparer.Ordinal) { ["platform_wp"] = sent["platform_wp"] + "locked: true\n" };
        var kept = ContextBundle.TakeChanges(_home.Store, changes, new HashSet<string> { "platform_wp" }, "web1", sent);
        Assert.Equal(["platform_wp"], kept);
        Assert.Equal(here, _home.Store.ReadText("platform_wp"));
    }

    [Fact]
    public void A_record_that_does_not_parse_is_refused_before_anything_is_written()
    {
        var sent = ContextBundle.Collect(_home.Store, ["platform_wp"]);
        var changes = new SortedDictionary<string, string?>(StringComparer.Ordinal) { ["platform_wp"] = "root: [unclosed\n" };
        Assert.ThrowsAny<AegirException>(() => ContextBundle.TakeChanges(_home.Store, changes, new HashSet<string> { "platform_wp" }, "web1", sent));
        Assert.Equal(sent["platform_wp"], _home.Store.ReadText("platform_wp"));
    }

    public void Dispose() => _home.Dispose();
}
