namespace Aegir.Core.Services;

/// <summary>
/// What a <see cref="DumpLineFilter"/> does with each line of a dump: it looks at a line's first bytes to decide
/// whether it needs the whole line (most data lines do not, and can be gigabytes), then may change or drop it.
/// </summary>
public interface IDumpLineRules
{
    /// <summary>Bytes written before the dump's first line.</summary>
    byte[] Preamble { get; }

    /// <summary>True when <see cref="Rewrite"/> must see the line that begins with <paramref name="head"/> (up to 64 bytes, or the whole line when shorter).</summary>
    bool Wants(ReadOnlySpan<byte> head);

    /// <summary>The line as it goes on (its newline included), or null to drop it.</summary>
    byte[]? Rewrite(byte[] line);

    /// <summary>Hears of a line passed on unread, by its first bytes (the state of a COPY block, say).</summary>
    void Passed(ReadOnlySpan<byte> head) { }
}
