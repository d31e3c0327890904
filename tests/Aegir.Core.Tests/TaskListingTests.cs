using Aegir.Core.Tasks;

namespace Aegir.Core.Tests;

/// <summary>Listing task records at scale: months newest first, stopping at the limit; one target's through each month's index, which the file names overrule.</summary>
public sealed class TaskListingTests : IDisposable
{
    readonly TestHome _home = new(seed: false);
    readonly TaskStore _store;

    public TaskListingTests() => _store = Settled(_home.Path);

    public void Dispose() => _home.Dispose();

    /// <summary>A store whose months count as settled at once, so their index is written at the first read.</summary>
    static TaskStore Settled(string home) => new(home) { Months = new TaskMonths(Path.Combine(home, "tasks")) { Settled = TimeSpan.Zero } };

    AegirTask Save(string id, string target, string type = "verify")
    {
        var task = new AegirTask { Id = id, Type = type, Target = target, Status = AegirTaskStatus.Succeeded, Created = DateTimeOffset.UtcNow };
        _store.Save(task, durable: false);
        return task;
    }

    string Month(string yyyymm) => Path.Combine(_store.TasksPath, yyyymm[..4], yyyymm[4..]);

    [Fact]
    public void Tasks_list_newest_first_across_months_and_years_and_a_limit_reads_only_the_newest_months()
    {
        Save("20231230-100000000-aaaa", "a.example");
        Save("20240105-100000000-aaaa", "b.example");
        Save("20240105-090000000-aaaa", "a.example", "backup");
        Save("20240210-100000000-aaaa", "a.example");
        Save("20240211-100000000-aaaa", "c.example");

        Assert.Equal(["20240211-100000000-aaaa", "20240210-100000000-aaaa", "20240105-100000000-aaaa", "20240105-090000000-aaaa", "20231230-100000000-aaaa"],
            _store.List().Select(t => t.Id));
        Assert.Equal(["20240210-100000000-aaaa", "20240105-090000000-aaaa", "20231230-100000000-aaaa"], _store.List(["a.example"]).Select(t => t.Id));
        Assert.Equal(["20240105-090000000-aaaa"], _store.List(["a.example"], (type, _) => type == "backup").Select(t => t.Id));

        // The newest three are in the two newest months: the oldest month is never read (its records may all go meanwhile).
        using var listing = _store.List().GetEnumerator();
        Assert.True(listing.MoveNext());
        Directory.Delete(Path.Combine(_store.TasksPath, "2023"), recursive: true);
        var rest = new List<string>();
        while (listing.MoveNext()) rest.Add(listing.Current.Id);
        Assert.Equal(["20240210-100000000-aaaa", "20240105-100000000-aaaa", "20240105-090000000-aaaa"], rest);
        Assert.Equal(3, _store.Headers().Take(3).Count());
    }

    [Fact]
    public void A_targets_tasks_come_from_its_months_index_once_written_and_a_month_changed_since_is_read_again()
    {
        Save("20240105-100000000-aaaa", "a.example");
        Save("20240106-100000000-aaaa", "b.example");
        Assert.Equal(["20240105-100000000-aaaa"], _store.List(["a.example"]).Select(t => t.Id));
        var index = TaskMonths.IndexPath(Month("202401"));
        Assert.True(File.Exists(index));
        Assert.Contains("\na.example\t20240105-100000000-aaaa.verify\n", File.ReadAllText(index));

        // A record written after the index: the folder's version no longer matches, so the folder is read and the index rebuilt.
        Save("20240107-100000000-aaaa", "a.example", "backup");
        Assert.Equal(["20240107-100000000-aaaa", "20240105-100000000-aaaa"], _store.List(["a.example"]).Select(t => t.Id));
        Assert.Contains("\na.example\t20240107-100000000-aaaa.backup\t20240105-100000000-aaaa.verify\n", File.ReadAllText(index));

        // A record deleted by hand: the same.
        File.Delete(Path.Combine(Month("202401"), "20240107-100000000-aaaa.backup.a.example.json"));
        Assert.Equal(["20240105-100000000-aaaa"], _store.List(["a.example"]).Select(t => t.Id));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("cut")]
    public void A_corrupt_or_half_written_index_is_rebuilt_from_the_file_names(string damage)
    {
        Save("20240105-100000000-aaaa", "a.example");
        Save("20240106-100000000-aaaa", "b.example");
        _ = _store.List(["a.example"]).ToList();
        var index = TaskMonths.IndexPath(Month("202401"));
        var good = File.ReadAllText(index);
        File.WriteAllText(index, damage switch { "garbage" => "not an index\n\u0001\u0002", "cut" => good[..(good.IndexOf("a.example", StringComparison.Ordinal) + 12)], _ => "" });
        // What a kill while writing it leaves beside it: a temp file, never read.
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(index)!, ".tmp-01.index.1234abcd"), "a.example\t20240199-000000000-dead.verify\n");

        Assert.Equal(["20240105-100000000-aaaa"], _store.List(["a.example"]).Select(t => t.Id));
        Assert.Equal(["20240106-100000000-aaaa"], _store.List(["b.example"]).Select(t => t.Id));
        Assert.Equal(good, File.ReadAllText(index));
    }

    [Fact]
    public void An_index_that_names_a_record_not_there_is_rebuilt_from_the_file_names()
    {
        Save("20240105-100000000-aaaa", "a.example");
        _ = _store.List(["a.example"]).ToList();
        var index = TaskMonths.IndexPath(Month("202401"));
        // Written beside the folder, the index can be changed without changing the folder's version.
        File.WriteAllText(index, File.ReadAllText(index).Replace("20240105-100000000-aaaa", "20240105-100000000-bbbb"));

        Assert.Equal(["20240105-100000000-aaaa"], _store.List(["a.example"]).Select(t => t.Id));
        Assert.Contains("20240105-100000000-aaaa.verify", File.ReadAllText(index));
        Assert.DoesNotContain("bbbb", File.ReadAllText(index));
        // Anything added to it (a line for another target) makes it longer than its offsets say: rebuilt too.
        File.AppendAllText(index, "ghost.example\t20240109-000000000-beef.verify\n");
        Assert.Empty(_store.List(["ghost.example"]));
        Assert.DoesNotContain("ghost", File.ReadAllText(index));
    }

    [Fact]
    public void A_month_changed_moments_ago_gets_no_index_so_a_write_in_the_same_clock_tick_is_never_missed()
    {
        var store = new TaskStore(_home.Path);   // the default: a month settles for two seconds before its index is written
        Save("20240105-100000000-aaaa", "a.example");
        Assert.Single(store.List(["a.example"]));
        Assert.False(File.Exists(TaskMonths.IndexPath(Month("202401"))));
    }

    [Fact]
    public void Records_of_older_versions_named_by_id_alone_are_read_to_tell_their_target()
    {
        var legacy = Save("20240105-100000000-aaaa", "a.example");
        var month = Month("202401");
        File.Move(Path.Combine(month, "20240105-100000000-aaaa.verify.a.example.json"), Path.Combine(month, "20240105-100000000-aaaa.json"));
        Save("20240106-100000000-aaaa", "b.example");

        Assert.Equal([legacy.Id], _store.List(["a.example"]).Select(t => t.Id));
        Assert.Equal([legacy.Id], _store.List(["a.example"]).Select(t => t.Id));   // through the index, which keeps it apart
        Assert.Equal(["20240106-100000000-aaaa"], _store.List(["b.example"]).Select(t => t.Id));
    }
}
