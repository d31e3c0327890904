namespace Aegir.Core.Transport;

/// <summary>
/// A write-only stream that hands each NUL-ended record of a program's output to a callback as it arrives, so output
/// of any length (a checksum of every file of a large codebase) is read without being held whole.
/// </summary>
public sealed class NulRecords(Action<string> record) : Stream
{
    readonly MemoryStream _partial = new();

    public override void Write(byte[] buffer, int offset, int count)
    {
        int start = offset, end = offset + count;
        for (int i = offset; i < end; i++)
        {
            if (buffer[i] != 0) continue;
            _partial.Write(buffer, start, i - start);
            record(System.Text.Encoding.UTF8.GetString(_partial.GetBuffer(), 0, (int)_partial.Length));
            _partial.SetLength(0);
            start = i + 1;
        }
        _partial.Write(buffer, start, end - start);
    }

    /// <summary>What came after the last NUL (a record cut off): empty when the output ended cleanly.</summary>
    public int Pending => (int)_partial.Length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
