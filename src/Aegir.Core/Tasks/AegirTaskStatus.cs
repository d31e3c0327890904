namespace Aegir.Core.Tasks;

public enum AegirTaskStatus { Queued, Running, Succeeded, Warning, Failed }

