namespace Aegir.Core.Operations.Aegir3;

/// <summary>What the import says of a file it read: a warning (an unknown key, a setting not carried) or a detail for the verbose stream. Never holds a value of the file.</summary>
public sealed record Aegir3Note(string File, string Message, bool Warning)
{
    public override string ToString() => $"{System.IO.Path.GetFileName(File)}: {Message}";
}
