namespace Aegir.Core.IO;

/// <summary>
/// A lock between processes on a lock file: exclusive (flock on Linux through FileShare.None), or shared.
/// The kernel drops it when the holder dies, so a crashed writer never leaves the store locked.
/// </summary>
public sealed class FileLock : IDisposable
{
    readonly FileStream _stream;

    FileLock(FileStream stream) => _stream = stream;

    /// <summary>Waits up to <paramref name="timeout"/>; returns null when the lock stayed taken.</summary>
    /// <param name="shared">A shared lock (flock LOCK_SH, which .NET takes for a file opened to read and shared):
    /// held by many at once, never beside an exclusive one.</param>
    public static FileLock? TryAcquire(string path, TimeSpan timeout, bool shared = false)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = 5;
        while (true)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = shared ? FileAccess.Read : FileAccess.ReadWrite, Share = shared ? FileShare.ReadWrite : FileShare.None };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = AtomicFile.OwnerOnly;
                return new FileLock(new FileStream(path, options));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 200);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
