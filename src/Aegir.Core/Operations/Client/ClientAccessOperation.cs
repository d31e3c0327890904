using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Client;

/// <summary>What granting and revoking a person's access to a client's sites share: the client as target, and its web servers.</summary>
public abstract class ClientAccessOperation<TParameters> : Operation<TParameters> where TParameters : class, IClientParameters
{
    public override ContextType TargetType => ContextType.Client;
    public override string TargetOf(TParameters p) => p.Client;

    public override void Check(TParameters p, ContextStore store) => ClientPeople.Check("User", p.User);

    /// <summary>The client as recorded now, the person's name checked, and the machines of its sites.</summary>
    protected static (AegirClient Client, string User, IReadOnlyList<AegirServer> Servers) Resolve(TParameters p, OperationEnvironment env)
    {
        var client = env.Store.GetFresh<AegirClient>(p.Client, "Client");
        return (client, ClientPeople.Check("User", p.User), ClientServers.Of(env, client));
    }
}
