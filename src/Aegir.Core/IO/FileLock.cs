namespace Aegir.Core.IO;

/// <summary>
/// An exclusive lock between processes on a lock file (flock on Linux through FileShare.None).
/// The kernel drops it when the holder dies, so a crashed writer never leaves the store locked.
/// </summary>
public sealed class FileLock : IDisposable
{
    readonly FileStream _stream;

    FileLock(FileStream stream) => _stream = stream;

    /// <summary>Waits up to <paramref name="timeout"/>; returns null when the lock stayed taken.</summary>
    public static FileLock? TryAcquire(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = 5;
        while (true)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
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
