using Aegir.Core.Platforms;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests.Transports;

/// <summary>What a platform push leaves alone on the web server, and how its itemized output is read.</summary>
public class PlatformPushTests
{
    [Fact]
    public void A_drupal_push_keeps_every_site_folder_and_settings_and_pushes_sites_all()
    {
        var filters = PushFilters.For(PlatformKinds.Get("drupal"));
        Assert.Contains("--include=/sites/all/", filters);
        Assert.Contains("--exclude=/sites/*", filters);
        Assert.Contains("--filter=P /sites/", filters);
        // First match wins: sites/all is named before the site folders it would otherwise match.
        Assert.True(filters.ToList().IndexOf("--include=/sites/all/") < filters.ToList().IndexOf("--exclude=/sites/*"));
    }

    [Fact]
    public void A_wordpress_push_keeps_the_uploads_and_the_config_verify_writes()
    {
        var filters = PushFilters.For(PlatformKinds.Get("wordpress"));
        Assert.Contains("--exclude=/wp-config.php", filters);
        Assert.Contains(filters, f => f.StartsWith("--exclude=/wp-content/uploads", StringComparison.Ordinal));
        Assert.DoesNotContain(filters, f => f.StartsWith("--include=", StringComparison.Ordinal));
    }

    [Fact]
    public void The_changes_are_the_itemized_paths_only()
    {
        var output = string.Join('\n',
            ".d..t...... ./",
            ">f.st...... index.php",
            "*deleting   stray.php",
            "cd+++++++++ lib/",
            "cannot delete non-empty directory: uploads",
            ".d..t...... lib/old/",
            "");
        var changes = RsyncPush.Changes(new CommandResult(0, output, "", TimeSpan.Zero));
        Assert.Equal(["index.php", "deleted stray.php", "lib/"], changes);
    }

    [Fact]
    public void Links_that_lead_out_of_the_source_are_named_and_never_followed()
    {
        var source = Directory.CreateTempSubdirectory("aegir-push-links").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(source, "lib/deep"));
            File.WriteAllText(Path.Combine(source, "lib/a.php"), "<?php");
            File.CreateSymbolicLink(Path.Combine(source, "etcdir"), "/etc");
            File.CreateSymbolicLink(Path.Combine(source, "lib/deep/up"), "../../../../root");
            File.CreateSymbolicLink(Path.Combine(source, "lib/inside"), "a.php");
            File.CreateSymbolicLink(Path.Combine(source, "lib/deep/back"), "../a.php");
            File.CreateSymbolicLink(Path.Combine(source, "absolute"), Path.Combine(source, "lib/a.php"));
            Assert.Equal(["absolute", "etcdir", "lib/deep/up"], RsyncPush.UnsafeLinks(source));
        }
        finally { Directory.Delete(source, recursive: true); }
    }
}
