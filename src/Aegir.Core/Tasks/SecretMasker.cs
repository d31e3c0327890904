namespace Aegir.Core.Tasks;

/// <summary>Replaces every registered secret in a text with a mask, so no log or error carries one.</summary>
public sealed class SecretMasker
{
    public const string Mask = "********";
    readonly List<string> _secrets = [];

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;   // short strings would mask ordinary words
        lock (_secrets) if (!_secrets.Contains(secret)) _secrets.Add(secret);
    }

    public string Apply(string text)
    {
        lock (_secrets)
            foreach (var secret in _secrets.OrderByDescending(s => s.Length))
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }
}
