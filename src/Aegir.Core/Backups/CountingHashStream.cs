using System.Security.Cryptography;

namespace Aegir.Core.Backups;

/// <summary>
/// Reads a member's bytes once, hashing them on the way (SHA-256). Declared with its length, it reports itself
/// seekable so a tar writer can write the header first; only reading forward is ever asked of it.
/// </summary>
internal sealed class CountingHashStream(Stream source, long? length = null, Action<int>? progress = null) : Stream
{
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long _read;

    public long BytesRead => _read;

    /// <summary>The SHA-256 of everything read so far, in hex.</summary>
    public string Sha256() => Convert.ToHexString(_hash.GetCurrentHash()).ToLowerInvariant();

    public override bool CanRead => true;
    public override bool CanSeek => length is not null;
    public override bool CanWrite => false;
    public override long Length => length ?? throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (length is { } max && _read + buffer.Length > max) buffer = buffer[..(int)Math.Max(0, max - _read)];
        int n = source.Read(buffer);
        if (n > 0)
        {
            _hash.AppendData(buffer[..n]);
            _read += n;
            progress?.Invoke(n);
        }
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
