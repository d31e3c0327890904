namespace Aegir.Core.Operations;

/// <summary>
/// What the tasks of one batch (a pipeline of installs) ask of servers alike: the script user is fit, the address a
/// web server reaches a database host from. Asked once and kept a minute, so twenty installs ask once while a long
/// pipeline still asks again. A question that fails is not kept; outside a batch every task asks.
/// </summary>
public sealed class ServerFacts
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(1);

    readonly Dictionary<string, (DateTime At, object Value)> _facts = new(StringComparer.Ordinal);

    public T Get<T>(string key, Func<T> ask) where T : notnull
    {
        lock (_facts)
        {
            if (_facts.TryGetValue(key, out var kept) && DateTime.UtcNow - kept.At < KeptFor) return (T)kept.Value;
            var value = ask();
            _facts[key] = (DateTime.UtcNow, value);
            return value;
        }
    }
}
