using System.Security.Cryptography;
using System.Text;

namespace Aegir.Core.Services.PostgreSql;

/// <summary>
/// A SCRAM-SHA-256 verifier (RFC 7677, as PostgreSQL stores it): the role's password is set as this, so the clear
/// password never reaches the server, its statement log or its activity view.
/// </summary>
internal static class ScramVerifier
{
    const int Iterations = 4096;

    public static string For(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
