using Aegir.Core.Services.Files;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>Taking an ACL entry away keeps each file's mask: it gives nothing to anyone (real files, real setfacl).</summary>
public class AclRemovalTests
{
    static string Acl(string path)
        => new LocalTransport().Run(new CommandSpec("getfacl", ["--numeric", "--omit-header", "--absolute-names", path])).StandardOutput;

    [Fact]
    public void Removing_a_group_entry_or_a_user_entry_leaves_the_mask_as_it_was()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return;   // the ACLs of another owner's files need root
        var dir = Directory.CreateTempSubdirectory("afacl-");
        try
        {
            var file = Path.Combine(dir.FullName, "secret.txt");
            File.WriteAllText(file, "x");
            var local = new LocalTransport();
            // A user entry with rwx held to rw- by the mask (as chmod 660 leaves it), and the entries to take away.
            Assert.True(local.Run(new CommandSpec("setfacl", ["-m", "u:65534:rwx,g:64999:r,u:64998:r", file])).Succeeded);
            Assert.True(local.Run(new CommandSpec("chmod", ["660", file])).Succeeded);
            Assert.Contains("mask::rw-", Acl(file));

            new GroupAcl(local, "master").Remove([dir.FullName], "64999");
            local.Run(AclRemoval.User("64998", [dir.FullName]));

            var after = Acl(file);
            Assert.DoesNotContain("group:64999:", after);
            Assert.DoesNotContain("user:64998:", after);
            Assert.Contains("mask::rw-", after);
            Assert.Contains("user:65534:rwx\t#effective:rw-", after);
        }
        finally { dir.Delete(true); }
    }
}
