using Aegir.Core.Contexts;
using Aegir.Core.Errors;

namespace Aegir.Core.Tests;

/// <summary>
/// The test assembly run as a program: a writer that tests start as a separate process,
/// to kill it mid-write or to race it against another writer; or a process running a program, to kill.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args[0] == "run") return RunUntilKilled(args[1], args[2..]);
        if (args[0] == "broker-consumer") return Broker.BrokerChild.Run(args[1..]);
        var store = new ContextStore(args[1]);
        switch (args[0])
        {
            case "hammer":
                // Rewrites one site forever with alias lists of alternating size; the test kills it.
                for (int i = 0; ; i++)
                {
                    var aliases = Enumerable.Range(0, i % 2 == 0 ? 400 : 3).Select(n => $"alias{n}.{args[2]}").ToList();
                    store.Modify<AegirSite>(args[2], "Uri", site => site.Aliases = aliases);
                    if (i == 0) Console.WriteLine("started");
                }
            case "create":
                // Creates sites <prefix><i>.example that each claim the alias shared<i>.example.
                int created = 0;
                for (int i = 0; i < int.Parse(args[3]); i++)
                {
                    try
                    {
                        store.Create(new AegirSite($"{args[2]}{i}.example") { PlatformName = "wp", Aliases = [$"shared{i}.example"] });
                        created++;
                    }
                    catch (AegirException ex) when (ex.ErrorId == "HostNameTaken") { }
                }
                Console.WriteLine(created);
                return 0;
            case "client-sites":
                // Creates sites <prefix><i>.example of client <args[4]>: prints how many were made and how many its limit refused.
                int made = 0, refused = 0;
                for (int i = 0; i < int.Parse(args[3]); i++)
                {
                    try
                    {
                        store.Create(new AegirSite($"{args[2]}{i}.example") { PlatformName = "wp", ClientName = args[4] });
                        made++;
                    }
                    catch (AegirException ex) when (ex.ErrorId == "ClientSiteLimit") { refused++; }
                }
                Console.WriteLine($"{made} {refused}");
                return 0;
            case "hang":
                // Holds a task's lock on a target, with one change done and one under way, until killed.
                new Aegir.Core.Tasks.TaskRunner(args[1]).Run("hang", args[2], [], ctx =>
                {
                    ctx.Step("Made something", () => { }, new("test", "undo it", new() { ["name"] = "made" }));
                    ctx.Step("Making something else", () =>
                    {
                        Console.WriteLine("holding");
                        Thread.Sleep(Timeout.Infinite);
                    }, new("test", "undo it", new() { ["name"] = "half made" }));
                });
                return 0;
            default:
                return 2;
        }
    }

    /// <summary>Runs a program through the local transport (<paramref name="how"/>: on this thread, or reading its output through a pipe on a pool thread) until killed.</summary>
    static int RunUntilKilled(string how, string[] command)
    {
        var transport = new Aegir.Core.Transport.LocalTransport();
        var spec = new Aegir.Core.Transport.CommandSpec(command[0], command[1..]) { Timeout = TimeSpan.FromMinutes(10) };
        Console.WriteLine("running");
        if (how == "pipe") Aegir.Core.Transport.TransportPipe.Read(transport, spec, output => output.CopyTo(Stream.Null));
        else transport.Run(spec);
        return 0;
    }
}
