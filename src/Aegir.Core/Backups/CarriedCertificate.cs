using System.Formats.Tar;
using System.Text;
using Aegir.Core.Services.Certificates;

namespace Aegir.Core.Backups;

/// <summary>
/// What the certificate/ members of a backup held, kept as text in memory while the archive is read: nothing of it
/// reaches a disk before the checks of a file given pass. A member that is no plain file of the three names, larger
/// than any certificate, not text, or given twice spoils the lot (<see cref="Problem"/>).
/// </summary>
public sealed class CarriedCertificate
{
    readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);

    /// <summary>Why the members cannot be taken as a certificate; null when none was refused.</summary>
    public string? Problem { get; private set; }

    /// <summary>Whether the archive held any certificate/ member.</summary>
    public bool Any => _texts.Count > 0 || Problem is not null;

    /// <summary>The text of a member taken (one of <see cref="BackupArchive.CertificateMembers"/>).</summary>
    public string Text(string name) => _texts[name];

    /// <summary>The members the archive lacks.</summary>
    public IReadOnlyList<string> Missing() => BackupArchive.CertificateMembers.Where(m => !_texts.ContainsKey(m)).ToList();

    /// <summary>Takes one certificate/ member of an archive being read (its data read, or skipped when refused).</summary>
    public void Take(TarEntry entry, BackupArchiveReader reader)
    {
        var name = entry.Name[BackupArchive.CertificatePrefix.Length..];
        var wrong = entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) ? $"it is a {BackupArchive.Describe(entry.EntryType)}, not a plain file"
            : !BackupArchive.CertificateMembers.Contains(name) ? $"it is none of {string.Join(", ", BackupArchive.CertificateMembers)}"
            : _texts.ContainsKey(name) ? "the archive holds it twice"
            : entry.Length > CertificateFiles.Limit ? "it is larger than any certificate or key"
            : null;
        if (wrong is null)
        {
            using var data = new MemoryStream();
            reader.Data(entry).CopyTo(data);
            try
            {
                _texts[name] = new UTF8Encoding(false, true).GetString(data.ToArray());
                return;
            }
            catch (DecoderFallbackException) { wrong = "it is not text"; }
        }
        else reader.Skip(entry);
        Problem ??= $"its member {BackupArchive.Printable(entry.Name)} is refused: {wrong}";
    }
}
