using System.Text;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

/// <summary>
/// What every transport does, the same way: run against the local transport and against a real sshd on another
/// (namespaced) machine, so the two cannot drift apart. Each test works in a scratch folder of its own.
/// </summary>
public abstract class TransportContract
{
    protected abstract ITransport Transport { get; }

    /// <summary>A new empty folder on the transport's machine, root's and 0755.</summary>
    protected abstract string Scratch();

    const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode Rwx = Rw | UnixFileMode.UserExecute;

    [Fact]
    public void A_file_is_written_whole_with_its_mode_and_owner_and_read_back_byte_for_byte()
    {
        var dir = Scratch();
        var bytes = Enumerable.Range(0, 70000).Select(i => (byte)(i * 7)).ToArray();
        Transport.WriteFile($"{dir}/a.bin", bytes, Rw | UnixFileMode.GroupRead, "root", "www-data");
        Assert.Equal(bytes, Transport.ReadFile($"{dir}/a.bin"));
        Assert.Equal(Rw | UnixFileMode.GroupRead, Transport.GetMode($"{dir}/a.bin"));
        Assert.Equal(("root", "www-data"), Transport.OwnerOf($"{dir}/a.bin"));
        Transport.WriteFile($"{dir}/a.bin", "new"u8.ToArray(), Rw);
        Assert.Equal("new", Encoding.UTF8.GetString(Transport.ReadFile($"{dir}/a.bin")!));
        Assert.Null(Transport.ReadFile($"{dir}/none"));
        Assert.Null(Transport.OwnerOf($"{dir}/none"));
        Assert.Equal(["a.bin"], Transport.List(dir));
    }

    [Fact]
    public void A_read_never_follows_a_link_and_takes_only_a_file()
    {
        var dir = Scratch();
        Transport.WriteFile($"{dir}/real", "secret"u8.ToArray(), Rw);
        Transport.Run(new CommandSpec("ln", ["-s", $"{dir}/real", $"{dir}/link"]));
        Transport.Run(new CommandSpec("ln", ["-s", "/etc/hostname", $"{dir}/out"]));
        Transport.Run(new CommandSpec("mkfifo", [$"{dir}/fifo"]));
        Transport.CreateDirectory($"{dir}/folder", Rwx);
        Assert.Contains("link", Assert.ThrowsAny<IOException>(() => Transport.ReadFile($"{dir}/link")).Message);
        Assert.Contains("link", Assert.ThrowsAny<IOException>(() => Transport.ReadFile($"{dir}/out")).Message);
        Assert.ThrowsAny<IOException>(() => Transport.ReadFile($"{dir}/fifo"));
        Assert.ThrowsAny<IOException>(() => Transport.ReadFile($"{dir}/folder"));
        Assert.Null(Transport.ReadFile($"{dir}/none/deeper"));
        Assert.Equal("secret", Encoding.UTF8.GetString(Transport.ReadFile($"{dir}/real")!));
    }

    [Fact]
    public void A_large_file_is_read_whole()
    {
        var dir = Scratch();
        // Past what a quick request carries (16 MiB): streamed instead, every byte.
        var bytes = new byte[17 * 1024 * 1024 + 3];
        new Random(7).NextBytes(bytes);
        Transport.WriteFile($"{dir}/big", bytes, Rw);
        Assert.Equal(bytes, Transport.ReadFile($"{dir}/big"));
        // Past what the module ever reads (a hostile 3 GiB manifest): refused, not held.
        Transport.Run(new CommandSpec("truncate", ["-s", "65M", $"{dir}/huge"]));
        Assert.Contains("larger than 64 MiB", Assert.ThrowsAny<IOException>(() => Transport.ReadFile($"{dir}/huge")).Message);
    }

    [Fact]
    public void Kinds_and_listings_never_follow_a_link()
    {
        var dir = Scratch();
        Transport.CreateDirectory($"{dir}/sub/deeper", Rwx);
        Transport.WriteFile($"{dir}/f", [], Rw);
        Transport.Run(new CommandSpec("ln", ["-s", "/etc", $"{dir}/link"]));
        Assert.Equal(PathKind.Directory, Transport.Kind($"{dir}/sub/deeper"));
        Assert.Equal(PathKind.File, Transport.Kind($"{dir}/f"));
        Assert.Equal(PathKind.Symlink, Transport.Kind($"{dir}/link"));
        Assert.Equal(PathKind.None, Transport.Kind($"{dir}/none"));
        Assert.Equal(PathKind.None, Transport.Kind($"{dir}/none/deeper"));
        Assert.Equal(["f", "link", "sub"], Transport.List(dir));
        Assert.Empty(Transport.List($"{dir}/link"));
        Assert.Empty(Transport.List($"{dir}/none"));
        Assert.True(Transport.DirectoryExists($"{dir}/link"));
        Assert.True(Transport.FileExists($"{dir}/f"));
        Assert.False(Transport.FileExists($"{dir}/sub"));
        Assert.Equal(Rwx, Transport.GetMode($"{dir}/sub/deeper"));
        Assert.Equal("/etc/hostname", Transport.ResolvePath($"{dir}/link/hostname"));
        Assert.Equal("/etc/not-there/x", Transport.ResolvePath($"{dir}/link/not-there/x"));
    }

    [Fact]
    public void No_change_goes_through_a_link_in_a_folder_others_may_write()
    {
        var dir = Scratch();
        Transport.CreateDirectory($"{dir}/open", Rwx);
        Transport.SetMode($"{dir}/open", (UnixFileMode)0b111_111_111);
        Transport.CreateDirectory($"{dir}/target", Rwx);
        Transport.Run(new CommandSpec("ln", ["-s", $"{dir}/target", $"{dir}/open/planted"]));
        Assert.ThrowsAny<IOException>(() => Transport.WriteFile($"{dir}/open/planted/x", [1], Rw));
        Assert.ThrowsAny<IOException>(() => Transport.SetMode($"{dir}/open/planted", Rwx));
        Assert.ThrowsAny<IOException>(() => Transport.CreateDirectory($"{dir}/open/planted/sub", Rwx));
        Assert.ThrowsAny<IOException>(() => Transport.EnsureDirectory($"{dir}/open", "planted/sub", Rwx, null, null));
        Assert.Empty(Transport.List($"{dir}/target"));
        // The link itself is changed, never what it leads to.
        Transport.SetOwner($"{dir}/open/planted", "www-data", "www-data");
        Assert.Equal(("www-data", "www-data"), Transport.OwnerOf($"{dir}/open/planted"));
        Assert.Equal(("root", "root"), Transport.OwnerOf($"{dir}/target"));
        // A folder asked for where a link is: refused, and what it leads to keeps its mode.
        Assert.ThrowsAny<IOException>(() => Transport.CreateDirectory($"{dir}/open/planted", Rwx));
        Assert.Equal(Rwx, Transport.GetMode($"{dir}/target"));
        Transport.WriteFile($"{dir}/target/kept", [1], Rw);
        Assert.ThrowsAny<IOException>(() => Transport.Delete($"{dir}/open/planted/kept"));
        Assert.ThrowsAny<IOException>(() => Transport.ReadFile($"{dir}/open/planted/kept"));
        Transport.Delete($"{dir}/open/planted");
        Assert.Equal(PathKind.Directory, Transport.Kind($"{dir}/target"));
        Assert.Equal(PathKind.File, Transport.Kind($"{dir}/target/kept"));
    }

    [Fact]
    public void Folders_are_made_and_fixed_below_a_root_and_deleted_whole()
    {
        var dir = Scratch();
        Assert.True(Transport.EnsureDirectory(dir, "a/b", (UnixFileMode)0b111_111_000 | UnixFileMode.SetGroup, "www-data", "www-data"));
        Assert.False(Transport.EnsureDirectory(dir, "a/b", (UnixFileMode)0b111_111_000 | UnixFileMode.SetGroup, "www-data", "www-data"));
        Assert.Equal((UnixFileMode)0b111_111_000 | UnixFileMode.SetGroup, Transport.GetMode($"{dir}/a/b"));
        Assert.Equal(("www-data", "www-data"), Transport.OwnerOf($"{dir}/a/b"));
        Transport.WriteFile($"{dir}/a/b/c", [1], Rw);
        Transport.Delete($"{dir}/a");
        Assert.Equal(PathKind.None, Transport.Kind($"{dir}/a"));
        Transport.Delete($"{dir}/a");
        Transport.Delete($"{dir}/none/deeper");
        Transport.CreateDirectory($"{dir}/empty", Rwx);
        Transport.Delete($"{dir}/empty");
        Assert.Equal(PathKind.None, Transport.Kind($"{dir}/empty"));
    }

    [Fact]
    public void A_move_renames_and_never_replaces()
    {
        var dir = Scratch();
        Transport.WriteFile($"{dir}/a", [1], Rw);
        Transport.WriteFile($"{dir}/b", [2], Rw);
        Assert.ThrowsAny<IOException>(() => Transport.Move($"{dir}/a", $"{dir}/b"));
        Assert.Equal([2], Transport.ReadFile($"{dir}/b"));
        Transport.Move($"{dir}/a", $"{dir}/c");
        Assert.Equal(["b", "c"], Transport.List(dir));
    }

    [Fact]
    public void A_command_gets_its_arguments_input_environment_and_folder_and_its_exit_code_comes_back()
    {
        var dir = Scratch();
        var result = Transport.Run(new CommandSpec("sh", ["-c", "cat; printf '|%s|%s|' \"$SECRET_VALUE\" \"$(pwd)\"; printf %s \"$1\"; echo oops >&2; exit 3", "sh", "a b;$(id)"])
        {
            StandardInput = "from stdin\n"u8.ToArray(), Environment = new Dictionary<string, string> { ["SECRET_VALUE"] = "s3cret" }, WorkingDirectory = dir,
        });
        Assert.Equal(3, result.ExitCode);
        Assert.Equal($"from stdin\n|s3cret|{dir}|a b;$(id)", result.StandardOutput);
        Assert.Equal("oops\n", result.StandardError);
        var bare = Transport.Run(new CommandSpec("/usr/bin/env", []) { InheritEnvironment = false, Environment = new Dictionary<string, string> { ["ONLY"] = "this" } });
        // Nothing of the caller's environment (a shell may add its own PWD).
        Assert.Equal(["ONLY=this"], bare.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("PWD=")));
        Assert.Equal(127, Transport.Run(new CommandSpec("no-such-program", [])).ExitCode);
    }

    [Fact]
    public void A_command_past_its_time_is_ended_with_what_it_started()
    {
        var dir = Scratch();
        var result = Transport.Run(new CommandSpec("sh", ["-c", $"(sleep 30; touch {dir}/late) & sleep 30"]) { Timeout = TimeSpan.FromSeconds(2), OwnSession = true });
        Assert.True(result.TimedOut);
        Thread.Sleep(500);
        Assert.Equal("", Transport.Run(new CommandSpec("sh", ["-c", $"pgrep -f '[s]leep 30; touch {dir}/late' || true"])).StandardOutput);
    }

    [Fact]
    public void Input_streams_in_and_output_streams_out()
    {
        var big = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(big);
        var sink = new MemoryStream();
        var result = Transport.Run(new CommandSpec("cat", []) { InputStream = new MemoryStream(big), OutputStream = sink });
        Assert.True(result.Succeeded, result.Summary());
        Assert.Equal(big, sink.ToArray());
    }

    [Fact]
    public void Accounts_are_looked_up_on_the_transports_machine()
    {
        Assert.True(Transport.UserExists("www-data"));
        Assert.False(Transport.UserExists("no-such-user"));
        Assert.True(Transport.GroupExists("www-data"));
        Assert.False(Transport.GroupExists("no-such-group"));
        Assert.Equal("www-data", Transport.PrimaryGroup("www-data"));
    }

    [Fact]
    public void A_folder_is_synced_as_rsync_would()
    {
        var dir = Scratch();
        Transport.CreateDirectory($"{dir}/from/sub", Rwx);
        Transport.WriteFile($"{dir}/from/sub/a", [1], Rw);
        Transport.CreateDirectory($"{dir}/to", Rwx);
        Transport.WriteFile($"{dir}/to/stale", [2], Rw);
        Transport.Sync($"{dir}/from", $"{dir}/to");
        Assert.Equal(["sub"], Transport.List($"{dir}/to"));
        Assert.Equal([1], Transport.ReadFile($"{dir}/to/sub/a"));
        Assert.Equal([$"{dir}/to/sub/a"], Transport.FindFiles($"{dir}/to", "a", 3));
    }
}
