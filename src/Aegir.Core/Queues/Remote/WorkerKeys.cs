using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Queues.Sealing;

namespace Aegir.Core.Queues.Remote;

/// <summary>
/// Puts a server's worker key on the server: the private key in keys/worker.key under the module's folder there
/// (root, 0600; it never leaves the server once written) and the control machine's public key in keys/control.pub,
/// with which the worker checks that each task it gets was sent by this control machine.
/// </summary>
public static class WorkerKeys
{
    /// <summary>Refuses the control machine itself and clusters: a worker of their own means nothing there.</summary>
    public static void CheckServer(AegirServer server)
    {
        if (server.Name == ContextNames.Master || server.IsCluster)
            throw Errors.ErrorCatalog.InvalidValue("OwnWorker", server.Name, server.IsCluster ? "a cluster is no machine: its members each are" : "the control machine runs its own tasks",
                server.IsCluster ? "Give each member server its own worker with Set-AegirServer <member> -OwnWorker." : "Give -OwnWorker to the servers the control machine reaches over SSH.");
    }

    public static void Install(Engine engine, AegirServer server, WorkerKey key)
    {
        CheckServer(server);
        using var env = new OperationEnvironment(engine);
        var home = env.HomeOn(server);
        var transport = env.Connect(server);
        if (transport.Kind(home) == Transport.PathKind.None) transport.CreateDirectory(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        using var control = WorkerKey.Control(engine.Store.Home);
        transport.EnsureDirectory(home, "keys", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, "root", "root");
        transport.WriteFile(RemoteWorker.KeyPath(home), System.Text.Encoding.ASCII.GetBytes(key.PrivatePem()), UnixFileMode.UserRead | UnixFileMode.UserWrite, "root", "root");
        transport.WriteFile(RemoteWorker.ControlPath(home), System.Text.Encoding.ASCII.GetBytes(control.PublicSpki + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "root", "root");
    }
}
