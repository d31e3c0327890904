namespace Aegir.Core.Tasks;

/// <summary>Carries out journal actions; the engine implements it with the services of the servers they name.</summary>
public interface IJournalExecutor
{
    void Run(JournalAction action, TaskContext ctx);
}
