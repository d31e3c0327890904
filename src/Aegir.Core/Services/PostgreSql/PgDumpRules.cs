using System.Security.Cryptography;
using System.Text;

namespace Aegir.Core.Services.PostgreSql;

/// <summary>
/// A plain-text PostgreSQL dump as psql loads it with no backslash command of its own: the stream begins with
/// psql's <c>\restrict</c> and a random key (psql then refuses every backslash command but <c>\unrestrict</c> with
/// that key, which the dump cannot know), and the dump's own <c>\restrict</c> / <c>\unrestrict</c> lines (pg_dump
/// writes them since 15.14) are left out. COPY data passes unread.
/// </summary>
public sealed class PgDumpRules : IDumpLineRules
{
    bool _copying;

    public byte[] Preamble { get; } = Encoding.ASCII.GetBytes($"\\restrict {Convert.ToHexString(RandomNumberGenerator.GetBytes(24))}\n");

    public bool Wants(ReadOnlySpan<byte> head) => !_copying && (head.StartsWith("\\"u8) || head.StartsWith("COPY "u8));

    public void Passed(ReadOnlySpan<byte> head)
    {
        if (_copying && (head.SequenceEqual("\\.\n"u8) || head.SequenceEqual("\\.\r\n"u8) || head.SequenceEqual("\\."u8))) _copying = false;
    }

    public byte[]? Rewrite(byte[] line)
    {
        var text = Encoding.Latin1.GetString(line).TrimEnd('\n', '\r');
        if (text.StartsWith("COPY ", StringComparison.Ordinal))
        {
            _copying = text.EndsWith("FROM stdin;", StringComparison.Ordinal);
            return line;
        }
        return text.StartsWith("\\restrict ", StringComparison.Ordinal) || text.StartsWith("\\unrestrict ", StringComparison.Ordinal) ? null : line;
    }
}
