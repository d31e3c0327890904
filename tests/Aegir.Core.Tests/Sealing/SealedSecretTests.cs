using System.Text;
using Aegir.Core.Errors;
using Aegir.Core.Queues.Sealing;

namespace Aegir.Core.Tests.Sealing;

public class SealedSecretTests
{
    static readonly WorkerKey Worker = WorkerKey.Create();

    [Fact]
    public void A_secret_sealed_for_a_workers_public_key_opens_with_its_private_key_and_is_not_in_the_sealed_text()
    {
        using var publicOnly = WorkerKey.FromPem(Worker.PublicPem, "web1");
        Assert.False(publicOnly.HasPrivateKey);
        var sealedSecret = SealedSecret.Seal("Db-Secret-ÄÖ-1", publicOnly, "task-1/db_password");
        var json = System.Text.Json.JsonSerializer.Serialize(sealedSecret);
        Assert.DoesNotContain("Db-Secret", json);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("Db-Secret-ÄÖ-1")), json);
        Assert.Equal(Worker.Kid, sealedSecret.Kid);
        Assert.Equal("Db-Secret-ÄÖ-1", sealedSecret.Open(Worker, "task-1/db_password"));
        // Sealing twice gives other bytes (a fresh key and nonce each time).
        Assert.NotEqual(sealedSecret.Data, SealedSecret.Seal("Db-Secret-ÄÖ-1", publicOnly, "task-1/db_password").Data);
    }

    [Fact]
    public void It_does_not_open_in_another_tasks_message_altered_or_with_another_key()
    {
        var sealedSecret = SealedSecret.Seal("s3cret", Worker, "task-1/db_password");
        var moved = Assert.Throws<AegirException>(() => sealedSecret.Open(Worker, "task-2/db_password"));
        Assert.Contains("altered, or sealed for another task", moved.Message);
        var data = Convert.FromBase64String(sealedSecret.Data);
        data[0] ^= 1;
        Assert.Throws<AegirException>(() => (sealedSecret with { Data = Convert.ToBase64String(data) }).Open(Worker, "task-1/db_password"));
        Assert.Throws<AegirException>(() => (sealedSecret with { Key = "not base64!" }).Open(Worker, "task-1/db_password"));
        using var other = WorkerKey.Create();
        var wrongKey = Assert.Throws<AegirException>(() => sealedSecret.Open(other, "task-1/db_password"));
        Assert.Contains($"sealed for key {Worker.Kid}", wrongKey.Message);
        using var publicOnly = WorkerKey.FromPem(Worker.PublicPem, "web1");
        Assert.Contains("public key only", Assert.Throws<AegirException>(() => sealedSecret.Open(publicOnly, "task-1/db_password")).Message);
    }

    [Fact]
    public void A_private_key_is_saved_owner_only_and_refused_when_others_can_read_it()
    {
        var dir = Directory.CreateTempSubdirectory("aegir-key-");
        try
        {
            var path = Path.Combine(dir.FullName, "worker.key");
            Worker.SavePrivate(path);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            using (var loaded = WorkerKey.LoadPrivate(path)) Assert.Equal(Worker.Kid, loaded.Kid);
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherRead);
            Assert.Contains("can be read by others", Assert.Throws<AegirException>(() => WorkerKey.LoadPrivate(path)).Message);
            Assert.Contains("no worker key", Assert.Throws<AegirException>(() => WorkerKey.LoadPrivate(path + ".none")).Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Keys_that_are_not_rsa_pem_or_too_small_are_refused()
    {
        Assert.Contains("no RSA key in PEM", Assert.Throws<AegirException>(() => WorkerKey.FromPem("hello", "x")).Message);
        using var small = System.Security.Cryptography.RSA.Create(1024);
        Assert.Contains("fewer than 2048", Assert.Throws<AegirException>(() => WorkerKey.FromPem(small.ExportSubjectPublicKeyInfoPem(), "x")).Message);
        Assert.Contains("public key only", Assert.Throws<AegirException>(() => WorkerKey.FromPem(Worker.PublicPem, "x", requirePrivate: true)).Message);
    }
}
