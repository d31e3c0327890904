namespace Aegir.Core.Services.Files;

/// <summary>The modes of the permission table, and how they are shown.</summary>
public static class Modes
{
    public const UnixFileMode Dir755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    public const UnixFileMode Dir2775 = Dir755 | UnixFileMode.GroupWrite | UnixFileMode.SetGroup;
    public const UnixFileMode Dir2770 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;
    public const UnixFileMode File0440 = UnixFileMode.UserRead | UnixFileMode.GroupRead;

    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
