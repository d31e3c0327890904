namespace Aegir.Core.Contexts;

/// <summary>Finds a context by canonical name; how a property that names a context reads back as that context.</summary>
public interface IContextResolver
{
    AegirContext? TryGet(string name);
}
