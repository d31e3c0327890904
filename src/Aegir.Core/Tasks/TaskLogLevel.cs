namespace Aegir.Core.Tasks;

public enum TaskLogLevel { Debug, Info, Warning, Error }
