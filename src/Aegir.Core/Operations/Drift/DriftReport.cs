using Aegir.Core.Contexts;

namespace Aegir.Core.Operations.Drift;

/// <summary>
/// What differs between a server, platform or site and what its records and the module's templates say it should be:
/// one <see cref="AegirDrift"/> per difference. Nothing is written, reloaded or recorded, and no task is made: servers
/// are only read, through the same connections a task uses. Invoke-AegirVerify of the target puts it right.
/// </summary>
public static class DriftReport
{
    public static IReadOnlyList<AegirDrift> OfSite(Engine engine, string name)
        => Run(engine, name, (env, found) => SiteDriftCheck.Check(env, env.Store.GetFresh<AegirSite>(name, "Name"), found));

    public static IReadOnlyList<AegirDrift> OfPlatform(Engine engine, string name)
        => Run(engine, name, (env, found) => PlatformDriftCheck.Check(env, env.Store.GetFresh<AegirPlatform>(name, "Name"), found));

    public static IReadOnlyList<AegirDrift> OfServer(Engine engine, string name)
        => Run(engine, name, (env, found) => ServerDriftCheck.Check(env, env.Server(name, "Name"), found));

    static IReadOnlyList<AegirDrift> Run(Engine engine, string name, Action<OperationEnvironment, DriftFindings> check)
    {
        using var env = new OperationEnvironment(engine);
        var found = new DriftFindings(name);
        check(env, found);
        return found.All;
    }
}
