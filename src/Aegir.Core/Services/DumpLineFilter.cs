namespace Aegir.Core.Services;

/// <summary>
/// A read-only stream over a dump that applies <see cref="IDumpLineRules"/> line by line as the client reads it. A
/// line the rules want is held whole up to <see cref="MaxHeld"/> bytes; a longer one passes unchanged, which is
/// safe: the rules only spare the site's own account statements it may not run, and the database refuses those.
/// </summary>
public sealed class DumpLineFilter(Stream source, IDumpLineRules rules) : Stream
{
    const int HeadSize = 64;
    public const int MaxHeld = 16 << 20;

    readonly byte[] _in = new byte[1 << 16];
    int _inStart, _inEnd;
    bool _eof;
    byte[] _out = rules.Preamble;
    int _outPos;
    /// <summary>Inside a line that is being passed on as it comes: copy up to its newline.</summary>
    bool _passing;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            if (_outPos < _out.Length)
            {
                int n = Math.Min(buffer.Length, _out.Length - _outPos);
                _out.AsSpan(_outPos, n).CopyTo(buffer);
                _outPos += n;
                return n;
            }
            if (_passing)
            {
                if (!Fill(1)) return 0;
                var available = _in.AsSpan(_inStart, _inEnd - _inStart);
                int nl = available.IndexOf((byte)'\n');
                int take = Math.Min(buffer.Length, nl >= 0 ? nl + 1 : available.Length);
                available[..take].CopyTo(buffer);
                _inStart += take;
                if (nl >= 0 && take == nl + 1) _passing = false;
                return take;
            }
            if (!NextLine()) return 0;
        }
    }

    /// <summary>Starts the next line: either held and rewritten into the output, or set to pass. False at the end.</summary>
    bool NextLine()
    {
        if (!Fill(HeadSize)) return false;
        var head = _in.AsSpan(_inStart, Math.Min(HeadSize, _inEnd - _inStart));
        int nl = head.IndexOf((byte)'\n');
        if (nl >= 0) head = head[..(nl + 1)];
        if (!rules.Wants(head))
        {
            rules.Passed(head);
            _passing = true;
            return true;
        }
        var line = new MemoryStream();
        while (true)
        {
            var available = _in.AsSpan(_inStart, _inEnd - _inStart);
            int end = available.IndexOf((byte)'\n');
            var part = end >= 0 ? available[..(end + 1)] : available;
            line.Write(part);
            _inStart += part.Length;
            if (end >= 0 || !Fill(1)) break;
            if (line.Length >= MaxHeld)
            {
                // Too long to hold: what was read goes on as it is, and the rest of the line after it.
                _out = line.ToArray();
                _outPos = 0;
                _passing = true;
                return true;
            }
        }
        _out = rules.Rewrite(line.ToArray()) ?? [];
        _outPos = 0;
        return true;
    }

    /// <summary>Makes at least <paramref name="want"/> bytes available (fewer at the end); false when none are left.</summary>
    bool Fill(int want)
    {
        if (_inEnd - _inStart >= want) return true;
        if (_inStart > 0)
        {
            Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
            _inEnd -= _inStart;
            _inStart = 0;
        }
        while (!_eof && _inEnd < want)
        {
            int n = source.Read(_in, _inEnd, _in.Length - _inEnd);
            if (n == 0) _eof = true;
            _inEnd += n;
        }
        return _inEnd > _inStart;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
