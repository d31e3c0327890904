using System.Security.Cryptography;

namespace Aegir.Core.IO;

/// <summary>Generated passwords: letters and digits only, so they survive any config or URL without quoting.</summary>
public static class Passwords
{
    const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static string New(int length = 24) => RandomNumberGenerator.GetString(Alphabet, length);
}
