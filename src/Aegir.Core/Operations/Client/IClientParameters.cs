namespace Aegir.Core.Operations.Client;

/// <summary>The parameters of an operation on one client (its canonical name) and one of its people.</summary>
public interface IClientParameters
{
    string Client { get; }
    string User { get; }
}
