using System.Globalization;
using System.Text;
using Aegir.Core.IO;

namespace Aegir.Core.Tasks;

/// <summary>
/// The month folders of the task store (<c>tasks/yyyy/mm</c>) newest first, and the record names in each. Ids sort by
/// time, so a listing walks months newest first and stops when it has enough, reading one folder at a time.
/// For one target's tasks each month also has an index, <c>tasks/yyyy/mm.index</c>: its record names grouped by target.
/// The file names are the truth and the index only a shortcut: it carries the version (inode, size, change time) of its
/// folder, and a folder changed since (a record written or deleted) is read again and its index rebuilt. The kernel sets a
/// folder's change time, so nothing can make a stale index look current; an index is written only for a folder left
/// unchanged for <see cref="Settled"/>, whose change a later write could not share a clock tick with. It is written
/// whole (temp file and rename), so a kill leaves the old index, a stale one (rebuilt at the next read) or a temp file.
/// </summary>
public sealed class TaskMonths(string tasksPath)
{
    const string Header = "aegir-task-index 2";
    const string IndexSuffix = ".index";

    /// <summary>How long a folder stays unchanged before its index is written (its current month seldom has one).</summary>
    public TimeSpan Settled { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The month folders, newest first.</summary>
    public IEnumerable<string> Newest()
    {
        if (!Directory.Exists(tasksPath)) yield break;
        foreach (var year in Numbered(tasksPath, 4))
            foreach (var month in Numbered(year, 2))
                yield return month;
    }

    /// <summary>Folders whose names are <paramref name="digits"/> digits, highest first.</summary>
    static IEnumerable<string> Numbered(string parent, int digits)
    {
        string[] found;
        try { found = Directory.GetDirectories(parent); }
        catch (DirectoryNotFoundException) { return []; }
        return found.Where(d => Path.GetFileName(d) is var n && n.Length == digits && n.All(char.IsAsciiDigit))
            .OrderByDescending(d => d, StringComparer.Ordinal);
    }

    /// <summary>The record file names of a month (without .json), newest first; temp and hidden files are left out.</summary>
    public static List<string> Names(string month)
    {
        var names = new List<string>();
        try
        {
            foreach (var f in Directory.EnumerateFiles(month, "*.json"))
            {
                var name = Path.GetFileName(f.AsSpan());
                if (name[0] != '.') names.Add(name[..^".json".Length].ToString());
            }
        }
        catch (DirectoryNotFoundException) { }
        names.Sort((a, b) => string.CompareOrdinal(b, a));
        return names;
    }

    /// <summary>
    /// The record names (without .json) of a month whose target is one of <paramref name="targets"/>, and those of
    /// records named by id alone (older versions: only reading them tells), newest first; from its index when current.
    /// </summary>
    public List<string> NamesFor(string month, IReadOnlyCollection<string> targets)
    {
        var index = IndexPath(month);
        var version = Posix.Version(month);
        if (version is null)
        {
            TryDelete(index);   // the month is gone (retention emptied it): so is its index
            return [];
        }
        // What the index names must be there: one that names a record that is not is forgotten and rebuilt.
        if (Lookup(index, version.Value, targets) is { } found)
        {
            if (found.TrueForAll(n => File.Exists(Path.Combine(month, n + ".json")))) return found;
            TryDelete(index);
        }
        var started = DateTimeOffset.UtcNow;
        var names = Names(month);
        if (Posix.Version(month) == version && started - ChangedAt(version.Value) > Settled) Write(index, version.Value, names);
        return names.Where(n => Split(n) is var p && (p.Length != 3 || targets.Contains(p[2]))).ToList();
    }

    /// <summary>Where a month's index is: beside its folder, so writing it leaves the folder's version alone.</summary>
    public static string IndexPath(string month) => month + IndexSuffix;

    /// <summary>Forgets a month's index: the next read of the month rebuilds it.</summary>
    public static void Forget(string month) => TryDelete(IndexPath(month));

    static DateTimeOffset ChangedAt(Posix.FileVersion v) => DateTimeOffset.FromUnixTimeSeconds(v.ChangeSeconds).AddTicks(v.ChangeNanoseconds / 100);

    static string Stamp(Posix.FileVersion v) => string.Create(CultureInfo.InvariantCulture, $"{Header} {v.Inode} {v.Size} {v.ChangeSeconds} {v.ChangeNanoseconds}\n");

    /// <summary>Splits a record name into id, type and target (one part for a record named by id alone).</summary>
    public static string[] Split(string name) => name.Split('.', 3);

    /// <summary>
    /// After the stamp, the offset of each of <see cref="Buckets"/> buckets of lines (and of the end), fixed width; then one
    /// line per target, its records' "id.type" newest first, in its bucket (by a hash of the target), records named by id
    /// alone under the empty target. A lookup reads the offsets and its targets' buckets alone: a few hundred bytes of a month.
    /// </summary>
    static void Write(string index, Posix.FileVersion version, List<string> names)
    {
        var buckets = new StringBuilder[Buckets];
        for (var b = 0; b < Buckets; b++) buckets[b] = new StringBuilder();
        var byTarget = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var p = Split(name);
            var (target, entry) = p.Length == 3 ? (p[2], p[0] + "." + p[1]) : ("", name);
            if (target.Contains('\t') || target.Contains('\n')) return;   // not a context name: no index, the folder is read
            if (!byTarget.TryGetValue(target, out var list)) byTarget[target] = list = [];
            list.Add(entry);
        }
        foreach (var (target, entries) in byTarget)
            buckets[Bucket(target)].Append(target).Append('\t').AppendJoin('\t', entries).Append('\n');
        var stamp = Encoding.UTF8.GetBytes(Stamp(version));
        var bodies = buckets.Select(b => Encoding.UTF8.GetBytes(b.ToString())).ToList();
        var offsets = new StringBuilder();
        long at = stamp.Length + OffsetsLength;
        foreach (var body in bodies.Append([]))
        {
            offsets.Append(at.ToString("D10", CultureInfo.InvariantCulture)).Append(offsets.Length + 1 == OffsetsLength ? '\n' : ' ');
            at += body.Length;
        }
        var bytes = new byte[at];
        stamp.CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes(offsets.ToString()).CopyTo(bytes, stamp.Length);
        var pos = stamp.Length + OffsetsLength;
        foreach (var body in bodies) { body.CopyTo(bytes, pos); pos += body.Length; }
        try { AtomicFile.WriteAllBytes(index, bytes, durable: false); }
        catch (IOException) { }   // a read-only or full disk: the folder is read each time
        catch (UnauthorizedAccessException) { }
    }

    const int Buckets = 256;
    const int OffsetsLength = (Buckets + 1) * 11;

    /// <summary>A target's bucket: FNV-1a of its UTF-8 bytes (stable across processes, unlike string.GetHashCode).</summary>
    static int Bucket(string target)
    {
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(target)) hash = (hash ^ b) * 16777619;
        return (int)(hash % Buckets);
    }

    /// <summary>The names the index holds for the targets; null when it is missing, unreadable, cut short or not of the folder as it is now.</summary>
    static List<string>? Lookup(string index, Posix.FileVersion version, IReadOnlyCollection<string> targets)
    {
        try
        {
            using var file = File.OpenHandle(index);
            var stamp = Encoding.UTF8.GetBytes(Stamp(version));
            var head = new byte[stamp.Length + OffsetsLength];
            if (RandomAccess.Read(file, head, 0) != head.Length || !head.AsSpan().StartsWith(stamp)) return null;
            var offsets = new long[Buckets + 1];
            for (var b = 0; b <= Buckets; b++)
                if (!long.TryParse(head.AsSpan(stamp.Length + b * 11, 10), NumberStyles.None, CultureInfo.InvariantCulture, out offsets[b])) return null;
            if (RandomAccess.GetLength(file) != offsets[Buckets]) return null;   // cut short, or written to by another hand
            var found = new List<string>();
            foreach (var target in targets.Append(""))
            {
                var b = Bucket(target);
                var range = new byte[offsets[b + 1] - offsets[b] + 1];
                range[0] = (byte)'\n';   // each line starts after a newline, the bucket's first too
                if (RandomAccess.Read(file, range.AsSpan(1), offsets[b]) != range.Length - 1) return null;
                var needle = Encoding.UTF8.GetBytes("\n" + target + "\t");
                var at = range.AsSpan().IndexOf(needle);
                if (at < 0) continue;
                var line = range.AsSpan(at + needle.Length);
                var end = line.IndexOf((byte)'\n');
                if (end < 0) return null;
                foreach (var entry in Encoding.UTF8.GetString(line[..end]).Split('\t'))
                    found.Add(target.Length == 0 ? entry : entry + "." + target);
            }
            found.Sort((a, b) => string.CompareOrdinal(b, a));
            return found;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
